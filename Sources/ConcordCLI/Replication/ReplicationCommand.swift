import ArgumentParser
import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient

/// `concord replication resolve RULE NAMESPACE/NAME --keep source|target` (or `RULE NAME -n NAMESPACE`).
struct ReplicationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replication", abstract: "Work with ReplicationRules: resolve Manual conflicts.", subcommands: [Resolve.self], aliases: ["rr"])

    /// Which side of a conflict to keep.
    enum Side: String, ExpressibleByArgument, CaseIterable {
        case source, target
        var annotation: String { self == .source ? "KeepSource" : "KeepTarget" }
    }

    /// Sets `federation.concord.dev/resolution` on every replica the rule lists in Manual conflict.
    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve a Manual conflict of rule RULE on object NAMESPACE/NAME (or NAME -n NAMESPACE): keep the source's content or the replica's.",
            discussion: """
                Annotates each conflicting replica (in every datacenter the rule lists, or only --datacenter) with \
                federation.concord.dev/resolution; the controller restores or adopts it and removes the annotation. \
                Under a FederationPolicy with topology Mesh there is no source: only --keep target (on the copy to keep) resolves. \
                A cluster-scoped object (a rule in concord-system replicating ClusterRoles, say) is named with the rule's \
                namespace: concord replication resolve RULE NAME -n concord-system.
                """)

        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The ReplicationRule's name.") var rule: String
        @Argument(help: "The conflicting object: NAMESPACE/NAME, or NAME with --namespace (the rule's namespace).") var object: String
        @Option(name: [.customShort("n"), .long], help: "The namespace of the rule and the object, as kubectl's -n.") var namespace: String?
        @Option(help: "Keep the source's content or the target's.") var keep: Side
        @Option(help: "Only the replica in this datacenter.") var datacenter: String?

        /// The object's namespace and name, from `object` and `--namespace`.
        func target() throws -> (namespace: String, name: String) {
            let parts = object.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 1, let namespace, !namespace.isEmpty, !parts[0].isEmpty { return (namespace, parts[0]) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CLIError("object must be NAMESPACE/NAME (or NAME with -n NAMESPACE), such as shop/global-flags")
            }
            if let namespace, namespace != parts[0] {
                throw CLIError("object \(object) is in namespace \(parts[0]), but -n says \(namespace): give one of them")
            }
            return (parts[0], parts[1])
        }

        func run() async throws {
            let (namespace, name) = try target()
            let hub = try cluster.client()
            do {
                try await ManualConflictResolver(hub: hub).resolve(rule: rule, namespace: namespace, name: name, keep: keep, datacenter: datacenter)
            } catch {
                try? await hub.shutdown()
                throw error is CLIError ? error : CLIError(StatusCommand.explain(error, server: hub.configuration?.displayServer))
            }
            try await hub.shutdown()
        }
    }
}

/// Finds a rule's Manual conflicts on one object and annotates the replicas in their members.
struct ManualConflictResolver {
    let hub: KubeClient

    func resolve(rule name: String, namespace: String, name object: String, keep: ReplicationCommand.Side, datacenter: String?) async throws {
        let rule: ReplicationRule
        do {
            rule = try await hub.resource(ReplicationRule.self).get(name, namespace: namespace)
        } catch let error as KubeAPIError where error.isNotFound {
            throw CLIError("replicationrule \"\(name)\" not found in namespace \(namespace): `kubectl get rr -n \(namespace)` lists them")
        }
        if keep == .source, let refusal = Self.meshRefusal(keep: keep, policies: try await hub.resource(FederationPolicy.self).list().items) { throw refusal }
        let conflicts = (rule.status?.conflicts ?? []).filter {
            $0.name == object && $0.resolution == .manual && (datacenter == nil || $0.datacenter == datacenter)
        }
        if let datacenter, conflicts.isEmpty {
            let known = try await hub.resource(Datacenter.self).list().items.compactMap(\.metadata.name)
            if !known.contains(datacenter) {
                throw CLIError("\(datacenter) is not a Datacenter of the federation; its Datacenters are \(known.sorted().joined(separator: ", "))")
            }
        }
        guard !conflicts.isEmpty else {
            throw CLIError("replicationrule \(namespace)/\(name) lists no Manual conflict on \(object)\(datacenter.map { " in \($0)" } ?? ""): `kubectl get rr \(name) -n \(namespace) -o yaml` shows status.conflicts")
        }
        for conflict in conflicts {
            let member = try await memberClient(conflict.datacenter)
            do {
                let kind = try await ReplicatedKinds().resolve(apiVersion: conflict.apiVersion ?? "v1", kind: conflict.kind, in: conflict.datacenter, client: member)
                let objects = member.dynamic(kind.resource, namespaced: kind.namespaced, kind: kind.kind)
                // A copy another rule stamped is that rule's: no resolution of this rule settles it.
                let ruleID = "\(namespace)/\(name)"
                if let current = try? await objects.get(object, namespace: kind.scope(namespace)),
                    let owner = current["metadata"]?["annotations"]?[FederationAnnotation.rule]?.stringValue, owner != ruleID,
                    try await Self.ruleExists(owner, hub: hub)
                {
                    throw CLIError(
                        "\(conflict.kind.lowercased())/\(object) in \(conflict.datacenter) is replicated by rule \(owner), not \(ruleID): both rules select it, "
                            + "and no resolution settles that; change one rule's selector (or namePrefix) so that only one selects it")
                }
                do {
                    _ = try await objects.patch(
                        object, namespace: kind.scope(namespace), type: .merge,
                        patch: ["metadata": ["annotations": .object([FederationAnnotation.resolution: .string(keep.annotation)])]])
                } catch let error as KubeAPIError where error.isNotFound {
                    // The member deleted its copy: keep it deleted everywhere, or copy the source's back.
                    try await resolveDeletion(of: object, kind: kind, namespace: namespace, rule: rule, in: member, datacenter: conflict.datacenter, keep: keep)
                    try await member.shutdown()
                    continue
                }
            } catch {
                try? await member.shutdown()
                throw error
            }
            try await member.shutdown()
            print("\(conflict.kind.lowercased())/\(object) in \(conflict.datacenter): \(keep.annotation) requested")
        }
    }

    /// True when ReplicationRule `id` (`namespace/name`) exists at the hub: a copy stamped by a rule
    /// since deleted is no other rule's, and the controller takes it as one no rule wrote.
    static func ruleExists(_ id: String, hub: KubeClient) async throws -> Bool {
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return false }
        do {
            _ = try await hub.resource(ReplicationRule.self).get(parts[1], namespace: parts[0])
            return true
        } catch let error as KubeAPIError where error.isNotFound {
            return false
        }
    }

    /// Why `--keep source` cannot resolve anything when the FederationPolicy in force runs Mesh (a
    /// Mesh rule has no source: only a copy's KeepTarget resolves there); nil otherwise.
    static func meshRefusal(keep: ReplicationCommand.Side, policies: [FederationPolicy]) -> CLIError? {
        guard keep == .source, let mesh = MeshReplication.policy(among: policies) else { return nil }
        return CLIError(
            "--keep source resolves nothing under FederationPolicy \(mesh.metadata.name ?? "")'s Mesh topology, which has no source: "
                + "run --keep target --datacenter DATACENTER, naming the member whose copy to keep")
    }

    /// A client for `datacenter`'s member, from the kubeconfig in its credentials Secret.
    func memberClient(_ datacenter: String) async throws -> KubeClient {
        let dc = try await hub.resource(Datacenter.self).get(datacenter)
        guard let client = try await MemberCredentials.client(for: dc, hub: hub) else {
            throw CLIError("datacenter \(datacenter) has no spec.credentialsRef (Pull mode): annotate the replica there with \(FederationAnnotation.resolution)")
        }
        return client
    }
}
