import FederationAPI
import FederationCore
import Foundation
import Testing

/// Which member events are only the echo of Concord's own replica write, and which are news.
struct ReplicaEchoTests {
    static let rule = "shop/global-config"

    /// A replica as Concord writes it, with managedFields entries `(manager, time)`.
    static func replica(data: String = "1", stampedFrom: String = "1", rule: String = rule, managers: [(String, String)], extra: [String: String] = [:]) -> JSONValue {
        let written = ReplicaContentTests.configMap(["k": stampedFrom])
        var annotations = [FederationAnnotation.rule: rule, FederationAnnotation.contentHash: ReplicaContent.hash(of: written)]
        annotations.merge(extra) { _, new in new }
        var object = ReplicaContentTests.configMap(["k": data], annotations: annotations)
        object.setValue(.array(managers.map { .object(["manager": .string($0.0), "operation": "Apply", "time": .string($0.1)]) }), at: ["metadata", "managedFields"])
        return object
    }

    @Test func concordsOwnUnchangedWriteIsAnEcho() {
        let object = Self.replica(managers: [("concord", "2026-12-05T10:00:00Z")])
        #expect(ReplicaEcho.isOwnWrite(object, rule: Self.rule, fieldManager: "concord"))
    }

    @Test func everythingElseIsNews() {
        // Another rule's replica, a source object (no stamp), a local content edit.
        #expect(!ReplicaEcho.isOwnWrite(Self.replica(managers: [("concord", "2026-12-05T10:00:00Z")]), rule: "shop/other", fieldManager: "concord"))
        #expect(!ReplicaEcho.isOwnWrite(ReplicaContentTests.configMap(["k": "1"]), rule: Self.rule, fieldManager: "concord"))
        #expect(!ReplicaEcho.isOwnWrite(Self.replica(data: "2", managers: [("concord", "2026-12-05T10:00:00Z")]), rule: Self.rule, fieldManager: "concord"))
        // Metadata changed by someone else later (a label), or in the same second: news.
        #expect(!ReplicaEcho.isOwnWrite(
            Self.replica(managers: [("concord", "2026-12-05T10:00:00Z"), ("kubectl-label", "2026-12-05T10:00:05Z")]), rule: Self.rule, fieldManager: "concord"))
        #expect(!ReplicaEcho.isOwnWrite(
            Self.replica(managers: [("concord", "2026-12-05T10:00:00Z"), ("kubectl-edit", "2026-12-05T10:00:00Z")]), rule: Self.rule, fieldManager: "concord"))
        // A person's resolution, no write by Concord on record, a managedFields time that does not parse.
        #expect(!ReplicaEcho.isOwnWrite(
            Self.replica(managers: [("concord", "2026-12-05T10:00:00Z")], extra: [FederationAnnotation.resolution: "KeepSource"]), rule: Self.rule, fieldManager: "concord"))
        #expect(!ReplicaEcho.isOwnWrite(Self.replica(managers: [("kubectl", "2026-12-05T10:00:00Z")]), rule: Self.rule, fieldManager: "concord"))
        #expect(!ReplicaEcho.isOwnWrite(Self.replica(managers: [("concord", "yesterday")]), rule: Self.rule, fieldManager: "concord"))
    }

    @Test func anEarlierWriteBySomeoneElseDoesNotMatter() {
        // Mesh: a member's own write, then Concord's stamp on it.
        let object = Self.replica(managers: [("kubectl-create", "2026-12-05T09:59:58Z"), ("concord", "2026-12-05T10:00:00Z")])
        #expect(ReplicaEcho.isOwnWrite(object, rule: Self.rule, fieldManager: "concord"))
    }
}
