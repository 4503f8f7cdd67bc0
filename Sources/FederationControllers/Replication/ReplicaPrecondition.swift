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
    /// Failed, with what to report, and whether the member refused it as invalid or forbidden (a
    /// retry of the same write fails the same way); the writes after it do not start.
    case failed(String, rejected: Bool)
}

/// Replica updates applied only over the version a pass planned from.
enum ReplicaPrecondition {
    /// Applies `object` (stamped by its rule) with `fieldManager` only over `version` of the replica. On a 409 the
    /// member's current replica is read: Concord's own later write (the cache had not shown it yet) is applied
    /// over, a replica gone is created again, and anything else throws ``ChangedSinceRead``, leaving the
    /// change for the next pass to judge. `hash` is the replica content hash the stamp records.
    ///
    /// Content fields another field manager owns (a key added by hand or by the member's tooling,
    /// `immutable`) survive a forced apply, so the replica would still differ from the source and
    /// every later pass would restore it again: when the applied content does not hash as the stamp
    /// records, it is replaced with the source's by a PUT over the applied version
    /// (``FederationCore/ReplicaContent/replacingForeignContent(_:with:hash:)``). A member that refuses
    /// that PUT (an `immutable` object) fails the write, which the rule reports.
    static func apply(
        _ object: JSONValue, over version: String, name: String, objects: DynamicResourceClient, scope: String?, fieldManager: String, logger: Logger,
        hash: (JSONValue) -> String = ReplicaContent.hash(of:)
    ) async throws {
        var guarded = object
        guarded["metadata"]?["resourceVersion"] = .string(version)
        do {
            let applied = try await objects.apply(guarded, fieldManager: fieldManager, force: true)
            return try await replaceForeignContent(applied, with: object, objects: objects, fieldManager: fieldManager, hash: hash)
        } catch let error as KubeAPIError where error.isConflict {
            logger.debug("Replica changed since the pass read it; reading it again", metadata: ["name": "\(name)", "namespace": "\(scope ?? "")"])
        }
        let rule = ReplicaStamp(of: object).rule ?? ""
        guard let latest = try await ownLatestVersion(name, rule: rule, objects: objects, scope: scope, fieldManager: fieldManager, hash: hash) else {
            _ = try await objects.apply(object, fieldManager: fieldManager, force: true)
            return
        }
        guarded["metadata"]?["resourceVersion"] = .string(latest)
        do {
            let again = try await objects.apply(guarded, fieldManager: fieldManager, force: true)
            try await replaceForeignContent(again, with: object, objects: objects, fieldManager: fieldManager, hash: hash)
        } catch let error as KubeAPIError where error.isConflict {
            throw ChangedSinceRead()
        }
    }

    /// Restores `read`, a replica changed in its member since Concord wrote it (its content no longer
    /// hashes as its stamp records), to `object`'s content with a PUT at the version the pass read
    /// (``FederationCore/ReplicaContent/restoring(_:to:)``): fields another manager added go too, and a
    /// PUT the member refuses (an `immutable` replica) writes nothing there, so no watch event wakes
    /// the rule before its retry backs off. A change since the read (409) throws ``ChangedSinceRead``;
    /// a replica gone since is created again.
    static func restore(_ read: JSONValue, to object: JSONValue, objects: DynamicResourceClient, fieldManager: String) async throws {
        guard let body = ReplicaContent.restoring(read, to: object) else { return }
        do {
            _ = try await objects.update(body, options: WriteOptions(fieldManager: fieldManager))
        } catch let error as KubeAPIError where error.isConflict {
            throw ChangedSinceRead()
        } catch let error as KubeAPIError where error.isNotFound {
            _ = try await objects.apply(object, fieldManager: fieldManager, force: true)
        }
    }

    /// PUTs `written`'s content over `applied` when fields of another manager survived the apply; a
    /// change made in between (409) is left to the next pass.
    private static func replaceForeignContent(
        _ applied: JSONValue, with written: JSONValue, objects: DynamicResourceClient, fieldManager: String, hash: (JSONValue) -> String
    ) async throws {
        guard let replaced = ReplicaContent.replacingForeignContent(applied, with: written, hash: hash) else { return }
        do {
            _ = try await objects.update(replaced, options: WriteOptions(fieldManager: fieldManager))
        } catch let error as KubeAPIError where error.isConflict {
            throw ChangedSinceRead()
        }
    }

    /// Deletes replica `name` only at `version`, the one the pass planned from (nil: unconditionally).
    /// On a 409 the member's current replica is read: Concord's own later write is deleted at its new
    /// version, a replica already gone is done, and anything else throws ``ChangedSinceRead``, so a
    /// person's change landing between the read and the delete is judged by the next pass, never
    /// deleted unseen. A replica already gone is no error.
    static func delete(
        _ name: String, over version: String?, rule: String, objects: DynamicResourceClient, scope: String?, fieldManager: String, logger: Logger,
        hash: (JSONValue) -> String = ReplicaContent.hash(of:)
    ) async throws {
        do {
            try await deleteReplica(name, at: version, objects: objects, scope: scope)
            return
        } catch let error as KubeAPIError where error.isConflict {
            logger.debug("Replica changed since the pass read it; reading it again before deleting", metadata: ["name": "\(name)", "namespace": "\(scope ?? "")"])
        }
        guard let latest = try await ownLatestVersion(name, rule: rule, objects: objects, scope: scope, fieldManager: fieldManager, hash: hash) else {
            return
        }
        do {
            try await deleteReplica(name, at: latest, objects: objects, scope: scope)
        } catch let error as KubeAPIError where error.isConflict {
            throw ChangedSinceRead()
        }
    }

    /// One DELETE with a resourceVersion precondition when `version` is known; a replica already gone is done.
    private static func deleteReplica(_ name: String, at version: String?, objects: DynamicResourceClient, scope: String?) async throws {
        do {
            _ = try await objects.delete(name, namespace: scope, options: DeleteOptions(preconditions: version.map { Preconditions(resourceVersion: $0) }))
        } catch let error as KubeAPIError where error.isNotFound {}
    }

    /// After a 409: the member's current version of replica `name` when it is Concord's own write for
    /// `rule`, nil when the replica is gone; throws ``ChangedSinceRead`` when anyone else changed it.
    private static func ownLatestVersion(
        _ name: String, rule: String, objects: DynamicResourceClient, scope: String?, fieldManager: String, hash: (JSONValue) -> String
    ) async throws -> String? {
        let current: JSONValue
        do {
            current = try await objects.get(name, namespace: scope)
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
        guard ReplicaEcho.isOwnWrite(current, rule: rule, fieldManager: fieldManager, hash: hash), let latest = ReplicaContent.resourceVersion(of: current) else {
            throw ChangedSinceRead()
        }
        return latest
    }
}
