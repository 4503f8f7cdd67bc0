import ConcordTesting
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging
import Testing

@testable import FederationControllers

/// Replica deletions are made only over the version the pass planned from: a person's change in
/// between is left for the next pass to judge, Concord's own newer write is deleted all the same.
struct ReplicaDeletePreconditionTests {
    typealias T = ReplicaPreconditionTests

    static func delete(over version: String?, _ objects: DynamicResourceClient) async throws {
        try await ReplicaPrecondition.delete(
            "flags", over: version, rule: T.rule, objects: objects, scope: "shop", fieldManager: "concord", logger: Logger(label: "test"),
            hash: { $0["data"]?["value"]?.stringValue.map { "hash-\($0)" } ?? "" })
    }

    static func exists(_ objects: DynamicResourceClient) async throws -> Bool {
        do {
            _ = try await objects.get("flags", namespace: "shop")
            return true
        } catch let error as KubeAPIError where error.isNotFound {
            return false
        }
    }

    @Test func aPersonsChangeSinceTheReadIsNotDeleted() async throws {
        try await T.withConfigMaps { objects in
            let read = try await objects.apply(T.replica("v1"), fieldManager: "concord", force: true)
            _ = try await objects.patch("flags", namespace: "shop", type: .merge, patch: ["data": ["value": "edited"]], options: WriteOptions(fieldManager: "kubectl-edit"))
            await #expect(throws: ChangedSinceRead.self) { try await Self.delete(over: ReplicaContent.resourceVersion(of: read), objects) }
            #expect(try await objects.get("flags", namespace: "shop")["data"]?["value"] == "edited")
        }
    }

    @Test func concordsOwnNewerWriteIsDeleted() async throws {
        try await T.withConfigMaps { objects in
            let read = try await objects.apply(T.replica("v1"), fieldManager: "concord", force: true)
            _ = try await objects.apply(T.replica("v2"), fieldManager: "concord", force: true)
            try await Self.delete(over: ReplicaContent.resourceVersion(of: read), objects)
            #expect(try await !Self.exists(objects))
        }
    }

    @Test func theVersionReadIsDeletedAndAGoneReplicaIsNoError() async throws {
        try await T.withConfigMaps { objects in
            let read = try await objects.apply(T.replica("v1"), fieldManager: "concord", force: true)
            try await Self.delete(over: ReplicaContent.resourceVersion(of: read), objects)
            #expect(try await !Self.exists(objects))
            try await Self.delete(over: ReplicaContent.resourceVersion(of: read), objects)
            try await Self.delete(over: nil, objects)
        }
    }
}
