import FederationAPI
import FederationControllers
import Foundation
import KubeClient

extension ManualConflictResolver {
    /// Resolves a Manual conflict on an object `datacenter` deleted (a deletion a former primary
    /// accepted before it was fenced); there is no replica to annotate.
    /// - `--keep source`: the source's object is copied back into the member without Concord's
    ///   stamp; the controller finds the source's content there and restamps it.
    /// - `--keep target`: the deletion is kept: the object is deleted at the source, and the
    ///   controller then deletes the other replicas (deletion Propagate) or leaves them (Orphan).
    func resolveDeletion(
        of name: String, kind: ResolvedKind, namespace: String, rule: ReplicationRule, in member: KubeClient, datacenter: String, keep: ReplicationCommand.Side
    ) async throws {
        guard let source = rule.status?.sourceDatacenter else {
            throw CLIError("replicationrule \(rule.ruleAnnotationValue) names no source datacenter in its status yet; try again once it has run")
        }
        let sourceClient = try await memberClient(source)
        do {
            try await resolveDeletion(of: name, kind: kind, namespace: namespace, source: (source, sourceClient), in: member, datacenter: datacenter, keep: keep, rule: rule)
        } catch {
            try? await sourceClient.shutdown()
            throw error
        }
        try await sourceClient.shutdown()
    }

    private func resolveDeletion(
        of name: String, kind: ResolvedKind, namespace: String, source: (name: String, client: KubeClient), in member: KubeClient, datacenter: String,
        keep: ReplicationCommand.Side, rule: ReplicationRule
    ) async throws {
        let objects = { (client: KubeClient) in client.dynamic(kind.resource, namespaced: kind.namespaced, kind: kind.kind) }
        let (source, sourceClient) = source
        switch keep {
        case .target:
            _ = try await objects(sourceClient).delete(name, namespace: kind.scope(namespace))
            let others = rule.spec.effectiveDeletion == .orphan
                ? "the other replicas stay (deletion: Orphan)" : "the other replicas follow (deletion: Propagate)"
            print("\(kind.kind.lowercased())/\(name): deleted at the source \(source), as in \(datacenter); \(others)")
        case .source:
            let original = try await objects(sourceClient).get(name, namespace: kind.scope(namespace))
            _ = try await objects(member).create(Self.unstamped(original), namespace: kind.scope(namespace))
            print("\(kind.kind.lowercased())/\(name) in \(datacenter): copied back from the source \(source)")
        }
    }

    /// `object` without server-set metadata and without Concord's annotations.
    static func unstamped(_ object: JSONValue) -> JSONValue {
        var copy = object
        copy["status"] = nil
        var metadata = object["metadata"]?.objectValue ?? [:]
        for field in ["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink"] { metadata[field] = nil }
        let annotations = (metadata["annotations"]?.objectValue ?? [:]).filter { !$0.key.hasPrefix(FederationGroup.prefix) }
        metadata["annotations"] = annotations.isEmpty ? nil : .object(annotations)
        copy["metadata"] = .object(metadata)
        return copy
    }
}
