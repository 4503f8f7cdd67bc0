import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

struct ServerLifecycleTests {
    @Test(arguments: TestStorage.allCases) func objectsAndCRDsSurviveARestartOnTheSameDataDirectory(_ storage: TestStorage) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("concord-restart-\(UUID().uuidString)").path
        defer { TemporaryFiles.remove(dir) }
        let open = try await storage.lastingStore()
        let firstRV = try await withTestControlPlane(storage: storage, configure: { $0.dataDirectory = dir; $0.makeStore = open }) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let created = try await client.post(Fixtures.widgets, Fixtures.widget("w1"))
            return created.json.value(at: ["metadata", "resourceVersion"])?.stringValue ?? ""
        }
        try await withTestControlPlane(storage: storage, configure: { $0.dataDirectory = dir; $0.makeStore = open }) { plane in
            let client = APIClient(plane)
            let widget = try await client.get(Fixtures.widgets + "/w1")
            #expect(widget.status == 200)
            #expect(widget.json.value(at: ["metadata", "resourceVersion"])?.stringValue == firstRV)
            let namespaces = try await client.get("/api/v1/namespaces").json["items"]?.arrayValue?.count
            #expect(namespaces == BuiltinResources.initialNamespaces.count)
        }
    }

    @Test(arguments: TestStorage.allCases) func portReportsTheEphemeralPortAndFailsAfterStop(_ storage: TestStorage) async throws {
        let plane = try await withTestControlPlane(storage: storage) { plane in
            let reported = try await plane.server.port()
            #expect(plane.port > 0)
            #expect(reported == plane.port)
            return plane
        }
        await #expect(throws: ControlPlaneError.self) { try await plane.server.port() }
    }

    @Test(arguments: TestStorage.allCases) func aPortInUseFailsRunAndPort(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("concord-busy-\(UUID().uuidString)").path
            defer { TemporaryFiles.remove(dir) }
            var configuration = ControlPlaneConfiguration(dataDirectory: dir, port: plane.port)
            configuration.makeStore = storage.makeStore()
            let busy = ControlPlaneServer(configuration: configuration)
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do {
                        try await busy.run()
                        return false
                    } catch {
                        return true
                    }
                }
                await #expect(throws: (any Error).self) { try await busy.port() }
                let failed = try await group.next()
                #expect(failed == true)
            }
        }
    }
}

struct ManualClockTests {
    @Test func sleepersWakeWhenTimeReachesTheirDeadline() async throws {
        let clock = ManualClock()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await clock.sleep(for: .seconds(10)) }
            try await clock.waitForSleepers(1)
            clock.advance(by: .seconds(9))
            #expect(clock.sleeperCount == 1)
            clock.advance(by: .seconds(1))
            try await group.waitForAll()
        }
        #expect(clock.now.offset == .seconds(10))
        #expect(clock.date.timeIntervalSince1970 == 1_800_000_010)
    }

    @Test func cancellingASleeperThrows() async throws {
        let clock = ManualClock()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await clock.sleep(for: .seconds(5))
                    return false
                } catch is CancellationError {
                    return true
                }
            }
            try await clock.waitForSleepers(1)
            group.cancelAll()
            let cancelled = try await group.next()
            #expect(cancelled == true)
        }
        #expect(clock.sleeperCount == 0)
    }
}
