import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// An owner deleted before the collector followed its resource (a custom resource deleted right after
/// its CRD appeared) leaves no deletion event: the first list of that resource verifies its dependents.
struct CollectorRelistTests {
    static let widgets = "widgets.example.com"
    static let dependentKey = StorageKey(resource: "configmaps", namespace: "default", name: "of-w1")

    static func resolve(_ ref: OwnerRef, _ key: StorageKey) -> StorageKey? {
        ref.kind == "Widget" ? StorageKey(resource: widgets, namespace: key.namespace, name: ref.name) : nil
    }

    static func stored(_ key: StorageKey, _ object: JSONValue) -> StoredObject { StoredObject(key: key, object: object, revision: 1) }

    static let dependent: JSONValue = [
        "metadata": [
            "name": "of-w1", "namespace": "default", "uid": "d-1",
            "ownerReferences": [["apiVersion": "example.com/v1", "kind": "Widget", "name": "w1", "uid": "w-1"]],
        ],
    ]

    static func drained(_ state: inout CollectorState) -> [OwnershipGraph.Work] {
        var work: [OwnershipGraph.Work] = []
        while let (next, _) = state.queue.next() { work.append(next) }
        return work
    }

    @Test func aListWithoutTheOwnerVerifiesItsDependentsAndOneWithItDoesNot() {
        var state = CollectorState()
        state.relisted("configmaps", objects: [Self.stored(Self.dependentKey, Self.dependent)], resolve: Self.resolve)
        _ = Self.drained(&state)
        let w1 = Self.stored(StorageKey(resource: Self.widgets, namespace: "default", name: "w1"), ["metadata": ["name": "w1", "namespace": "default", "uid": "w-1"]])
        state.relisted(Self.widgets, objects: [w1], resolve: Self.resolve)
        #expect(Self.drained(&state).isEmpty, "the owner is there")
        state.relisted(Self.widgets, objects: [], resolve: Self.resolve)
        #expect(Self.drained(&state) == [.dependent(Self.dependentKey)])
        // Another resource's list says nothing of this owner.
        state.relisted("secrets", objects: [], resolve: Self.resolve)
        #expect(Self.drained(&state).isEmpty)
    }
}
