import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Synchronization

/// A kind a rule names, as written in its spec.
public struct ReplicaKindKey: Hashable, Sendable {
    /// The apiVersion, such as `v1`.
    public var apiVersion: String
    /// The kind, such as `ConfigMap`.
    public var kind: String

    /// Creates a key.
    public init(apiVersion: String, kind: String) {
        self.apiVersion = apiVersion
        self.kind = kind
    }
}

/// A kind a ReplicationRule names, resolved to its resource through the source member's discovery.
public struct ResolvedKind: Hashable, Sendable {
    /// The resource, such as `configmaps` in `v1`.
    public var resource: GroupVersionResource
    /// The kind, such as `ConfigMap`.
    public var kind: String
    /// Whether objects live in namespaces.
    public var namespaced: Bool

    /// The namespace a rule in `namespace` reads and writes this kind in: nil for a cluster-scoped kind.
    public func scope(_ namespace: String) -> String? { namespaced ? namespace : nil }
}

/// Resolves `apiVersion` + `kind` to a resource by reading the member's discovery document
/// (`/api/v1`, `/apis/<group>/<version>`), as kubectl does. Answers are cached per datacenter and
/// group-version for ``maxAge`` seconds, so a CustomResourceDefinition deleted there is noticed
/// (the kind then resolves as not served); a kind that is not served is asked again on a later pass
/// (a CRD may be installed meanwhile), never cached as missing. When discovery cannot be read, an
/// answer older than that is used rather than none.
public final class ReplicatedKinds: Sendable {
    private let served = Mutex<[String: (kinds: [String: ResolvedKind], at: Date)]>([:])
    private let now: @Sendable () -> Date
    /// How long a discovery answer is used before it is read again (seconds).
    public let maxAge: TimeInterval

    /// Creates an empty cache whose answers are read again after `maxAge` seconds by `now`.
    public init(maxAge: TimeInterval = 30, now: @escaping @Sendable () -> Date = { Date() }) {
        self.maxAge = maxAge
        self.now = now
    }

    /// The resolved kind, or a one-line error saying what is not served.
    public func resolve(apiVersion: String, kind: String, in datacenter: String, client: KubeClient) async throws -> ResolvedKind {
        let cacheKey = "\(datacenter) \(apiVersion)"
        let cached = served.withLock { $0[cacheKey] }
        if let cached, let known = cached.kinds[kind], now().timeIntervalSince(cached.at) < maxAge { return known }
        let kinds: [String: ResolvedKind]
        do {
            kinds = try await discover(apiVersion, client: client)
        } catch let error as UnknownKindError {
            served.withLock { _ = $0.removeValue(forKey: cacheKey) }
            throw error
        } catch {
            // Unreadable now: an older answer still names the resource (the member may be away).
            if let known = cached?.kinds[kind] { return known }
            throw error
        }
        let at = now()
        served.withLock { $0[cacheKey] = (kinds, at) }
        guard let resolved = kinds[kind] else {
            throw UnknownKindError(message: "\(datacenter) serves no kind \(kind) in \(apiVersion); fix spec.resources or install its CustomResourceDefinition")
        }
        return resolved
    }

    /// The kinds `rule` names, resolved through `datacenter`'s discovery; or why the controller plans
    /// nothing: a kind not served (UnknownKind), a cluster-scoped kind in a rule outside
    /// `concord-system` (ClusterScopedKind), or discovery unreadable (SourceUnavailable).
    public func resolve(_ rule: ReplicationRule, in datacenter: String, client: KubeClient) async -> Result<[ReplicaKindKey: ResolvedKind], ReplicationBlocker> {
        let namespace = rule.metadata.namespace ?? ""
        var resolved: [ReplicaKindKey: ResolvedKind] = [:]
        for entry in rule.spec.resources {
            do {
                let kind = try await resolve(apiVersion: entry.apiVersion, kind: entry.kind, in: datacenter, client: client)
                guard kind.namespaced || namespace == FederationGroup.systemNamespace else {
                    return .failure(ReplicationBlocker(
                        reason: ReplicationRule.Reason.clusterScopedKind,
                        message: "\(entry.kind) is cluster-scoped; only a rule in namespace \(FederationGroup.systemNamespace) may replicate cluster-scoped kinds.", terminal: true))
                }
                resolved[ReplicaKindKey(apiVersion: entry.apiVersion, kind: entry.kind)] = kind
            } catch let error as UnknownKindError {
                return .failure(ReplicationBlocker(reason: ReplicationRule.Reason.unknownKind, message: error.message, terminal: true))
            } catch {
                return .failure(ReplicationBlocker(reason: ReplicationRule.Reason.sourceUnavailable, message: "Cannot read \(datacenter)'s API discovery: \(error)", terminal: false))
            }
        }
        return .success(resolved)
    }

    /// Forgets what `datacenter` serves (its credentials changed, or it was removed).
    func forget(_ datacenter: String) { served.withLock { $0 = $0.filter { !$0.key.hasPrefix("\(datacenter) ") } } }

    private func discover(_ apiVersion: String, client: KubeClient) async throws -> [String: ResolvedKind] {
        let parts = apiVersion.split(separator: "/")
        guard parts.count == 1 || parts.count == 2, !apiVersion.isEmpty else {
            throw UnknownKindError(message: "apiVersion \(apiVersion) is not group/version or version")
        }
        let gv = parts.count == 1 ? GroupVersionResource(group: "", version: String(parts[0]), resource: "")
            : GroupVersionResource(group: String(parts[0]), version: String(parts[1]), resource: "")
        let response: KubeResponse
        do {
            response = try await client.send(KubeRequest(method: .get, path: gv.pathPrefix))
        } catch let error as KubeAPIError where error.isNotFound {
            throw UnknownKindError(message: "the source serves no API \(apiVersion); fix spec.resources or install its CustomResourceDefinition")
        }
        let document = try CompactJSON.decode(response.body)
        var kinds: [String: ResolvedKind] = [:]
        for entry in document["resources"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, !name.contains("/"), let kind = entry["kind"]?.stringValue else { continue }
            let resource = GroupVersionResource(group: gv.group, version: gv.version, resource: name)
            kinds[kind] = ResolvedKind(resource: resource, kind: kind, namespaced: entry["namespaced"]?.boolValue ?? true)
        }
        return kinds
    }
}

/// A resource entry names a kind the source does not serve.
public struct UnknownKindError: Error, CustomStringConvertible {
    /// What is not served, and how to fix it.
    public let message: String
    /// The message.
    public var description: String { message }
}
