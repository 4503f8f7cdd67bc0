import FederationAPI
import FederationControllers
import Foundation
import KubeClient

/// Reads what `concord backup` archives: the hub's federation objects and the Secrets their
/// Datacenters' `credentialsRef` name; per Push-mode member, every object Concord manages there
/// (the fencing marker, replicas, standby copies), found by the `federation.concord.dev/managed`
/// label or the `federation.concord.dev/rule` annotation. Reads only.
struct BackupReader {
    let hub: KubeClient

    /// The hub's federation kinds, in the order a restore writes them.
    static let federationKinds: [(resource: GroupVersionResource, kind: String, namespaced: Bool)] = [
        (Datacenter.groupVersionResource, Datacenter.kind, false),
        (FederationPolicy.groupVersionResource, FederationPolicy.kind, false),
        (ReplicationRule.groupVersionResource, ReplicationRule.kind, true),
        (ServiceFailover.groupVersionResource, ServiceFailover.kind, true),
    ]

    /// Kinds searched in every member besides those the ReplicationRules name: what the fencing
    /// marker, replicas and ServiceFailover standby copies are made of.
    static let memberKinds: [(apiVersion: String, kind: String)] = [
        ("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "Service"), ("apps/v1", "Deployment"), ("discovery.k8s.io/v1", "EndpointSlice"),
    ]

    /// Reads everything into an archive; a member that cannot be read is recorded with its error, not fatal.
    func read(now: Date) async throws -> BackupArchive {
        var hubObjects: [JSONValue] = []
        for entry in Self.federationKinds {
            let items = try await hub.dynamic(entry.resource, namespaced: entry.namespaced, kind: entry.kind).listAll().items
            hubObjects += items.map { Self.typed($0, apiVersion: entry.resource.apiVersion, kind: entry.kind) }.sorted { Self.key($0) < Self.key($1) }
        }
        let datacenters = try await hub.resource(Datacenter.self).list().items.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        var secrets: [JSONValue] = []
        let secretClient = hub.dynamic(GroupVersionResource(group: "", version: "v1", resource: "secrets"), namespaced: true, kind: "Secret")
        for ref in Set(datacenters.compactMap(\.spec.credentialsRef).map { SecretKeyReference(namespace: $0.effectiveNamespace, name: $0.name) }) {
            do {
                secrets.append(Self.typed(try await secretClient.get(ref.name, namespace: ref.effectiveNamespace), apiVersion: "v1", kind: "Secret"))
            } catch let error as KubeAPIError where error.isNotFound {}
        }
        hubObjects = secrets.sorted { Self.key($0) < Self.key($1) } + hubObjects
        let rules = try await hub.resource(ReplicationRule.self).list().items
        var kinds = Self.memberKinds
        for resource in rules.flatMap(\.spec.resources) where !kinds.contains(where: { $0.apiVersion == resource.apiVersion && $0.kind == resource.kind }) {
            kinds.append((resource.apiVersion, resource.kind))
        }
        var members: [String: [JSONValue]] = [:]
        var manifests: [BackupArchive.Manifest.Member] = []
        for dc in datacenters {
            let name = dc.metadata.name ?? ""
            var entry = BackupArchive.Manifest.Member(datacenter: name, objects: 0)
            do {
                let read = try await MemberCredentials.with(dc, hub: hub, timeout: .seconds(10)) { member in
                    (try await Self.managedObjects(in: member, datacenter: name, kinds: kinds), member.configuration?.displayServer,
                     try await member.serverVersion().gitVersion)
                }
                if let read {
                    members[name] = read.0
                    entry.objects = read.0.count
                    entry.server = read.1
                    entry.serverVersion = read.2
                } else {
                    members[name] = []
                    entry.error = "Pull mode: its agent holds the credentials; restore re-creates its objects only"
                }
            } catch {
                members[name] = []
                entry.error = "\(error)"
            }
            manifests.append(entry)
        }
        let manifest = BackupArchive.Manifest(
            formatVersion: BackupArchive.formatVersion, concordVersion: ConcordVersion.current.line, createdAt: KubeTime(now).description,
            hubServer: hub.configuration?.displayServer, hubServerVersion: try await hub.serverVersion().gitVersion,
            hubObjects: hubObjects.count, members: manifests, contentSHA256: "")
        return BackupArchive(manifest: manifest, content: BackupArchive.Content(hub: hubObjects.map(Self.portable), members: members))
    }

    /// Every object of `kinds` in the member that Concord manages, portable and sorted.
    static func managedObjects(in member: KubeClient, datacenter: String, kinds: [(apiVersion: String, kind: String)]) async throws -> [JSONValue] {
        let resolver = ReplicatedKinds()
        var objects: [JSONValue] = []
        for (apiVersion, kind) in kinds {
            let resolved: ResolvedKind
            do {
                resolved = try await resolver.resolve(apiVersion: apiVersion, kind: kind, in: datacenter, client: member)
            } catch is UnknownKindError {
                continue
            }
            let items = try await member.dynamic(resolved.resource, namespaced: resolved.namespaced, kind: resolved.kind).listAll().items
            objects += items.filter(isManaged).map { typed($0, apiVersion: apiVersion, kind: resolved.kind) }.sorted { key($0) < key($1) }.map(portable)
        }
        return objects
    }

    /// True for objects Concord put into a member.
    static func isManaged(_ object: JSONValue) -> Bool {
        object["metadata"]?["labels"]?[FederationLabel.managed]?.stringValue == "true"
            || object["metadata"]?["annotations"]?[FederationAnnotation.rule]?.stringValue != nil
    }

    /// The object without what only its old server knows (uid, resourceVersion, timestamps,
    /// managedFields, owner references to uids that will not exist), so it can be created anew.
    static func portable(_ object: JSONValue) -> JSONValue {
        var object = object
        let serverFields = [
            "uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink", "deletionTimestamp",
            "deletionGracePeriodSeconds", "ownerReferences",
        ]
        for field in serverFields {
            object.setValue(nil, at: ["metadata", field])
        }
        return object
    }

    /// The object with `apiVersion` and `kind` set (list items may omit them).
    static func typed(_ object: JSONValue, apiVersion: String, kind: String) -> JSONValue {
        var object = object
        object.setValue(.string(apiVersion), at: ["apiVersion"])
        object.setValue(.string(kind), at: ["kind"])
        return object
    }

    /// `kind namespace/name`, for sorting and messages.
    static func key(_ object: JSONValue) -> String {
        let meta = object["metadata"]
        let namespace = meta?["namespace"]?.stringValue.map { "\($0)/" } ?? ""
        return "\(object["kind"]?.stringValue ?? "") \(namespace)\(meta?["name"]?.stringValue ?? "")"
    }
}
