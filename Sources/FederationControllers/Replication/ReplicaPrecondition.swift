import FederationAPI
import FederationCore
import KubeClient
import Logging

/// A replica changed in its member by someone other than Concord since the pass read it: not written.
struct ChangedSinceRead: Error {}

/// How one replica write ended.
enum WriteResult: Sendable {
    /// Acknowledged by the member.
    case written
    /// Not written: the replica changed since the pass read it (no failure; the next pass judges the change).
    case changedSinceRead
    /// Failed, with what to report; the writes after it do not start.
    case failed(String)
}

/// Replica updates applied only over the version a pass planned from.
enum ReplicaPrecondition {
    /// Applies `object` (stamped by its rule) with `fieldManager` only over `version` of the replica. On a 409 the
    /// member's current replica is read: Concord's own later write (the cache had not shown it yet) is applied
    /// over, a replica gone is created again, and anything else throws ``ChangedSinceRead``, leaving the
    /// change for the next pass to judge. `hash` is the replica content hash the stamp records.
    static func apply(
        _ object: JSONValue, over version: String, name: String, objects: DynamicResourceClient, scope: String?, fieldManager: String, logger: Logger,
        hash: (JSONValue) -> String = ReplicaContent.hash(of:)
    ) async throws {
        var guarded = object
        guarded["metadata"]?["resourceVersion"] = .string(version)
        do {
            _ = try await objects.apply(guarded, fieldManager: fieldManager, force: true)
            return
        } catch let error as KubeAPIError where error.isConflict {
            logger.debug("Replica changed since the pass read it; reading it again", metadata: ["name": "\(name)", "namespace": "\(scope ?? "")"])
        }
        let current: JSONValue
        do {
            current = try await objects.get(name, namespace: scope)
        } catch let error as KubeAPIError where error.isNotFound {
            _ = try await objects.apply(object, fieldManager: fieldManager, force: true)
            return
        }
        let rule = ReplicaStamp(of: object).rule ?? ""
        guard ReplicaEcho.isOwnWrite(current, rule: rule, fieldManager: fieldManager, hash: hash), let latest = ReplicaContent.resourceVersion(of: current) else {
            throw ChangedSinceRead()
        }
        guarded["metadata"]?["resourceVersion"] = .string(latest)
        do {
            _ = try await objects.apply(guarded, fieldManager: fieldManager, force: true)
        } catch let error as KubeAPIError where error.isConflict {
            throw ChangedSinceRead()
        }
    }
}
