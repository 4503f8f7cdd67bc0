import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Testing

/// A controller's own status writes must not starve objects waiting for their first reconcile.
@Suite struct StatusWritePriorityTests {
    private func object(generation: Int64, rv: String, phase: String) -> JSONValue {
        var o = configMap("dc", rv: rv)
        o.setValue(.int(generation), at: ["metadata", "generation"])
        o["status"] = ["phase": .string(phase)]
        return o
    }

    @Test func aStatusOnlyUpdateOfTheControllersOwnKindIsLowPriority() async throws {
        let seen = Shared<[Int]>([])
        let handler = InformerEventHandler<JSONValue>.prioritized({ _ in [ObjectKey(name: "dc")] }, metadata: { JSONValue.objectMeta(of: $0) }, statusWritesLow: true) { _, priority in
            seen.update { $0.append(priority) }
        }
        await handler.onUpdate(object(generation: 1, rv: "1", phase: "Pending"), object(generation: 1, rv: "2", phase: "Ready"))
        await handler.onUpdate(object(generation: 1, rv: "2", phase: "Ready"), object(generation: 2, rv: "3", phase: "Ready"))
        #expect(seen.value == [QueuePriority.low, QueuePriority.normal])

        let secondary = Shared<[Int]>([])
        let watching = InformerEventHandler<JSONValue>.prioritized({ _ in [ObjectKey(name: "policy")] }, metadata: { JSONValue.objectMeta(of: $0) }) { _, priority in
            secondary.update { $0.append(priority) }
        }
        await watching.onUpdate(object(generation: 1, rv: "1", phase: "Pending"), object(generation: 1, rv: "2", phase: "Ready"))
        #expect(secondary.value == [QueuePriority.normal], "another kind's status change is a real change to its watchers")
    }
}
