import ConcordTesting
@testable import ControlPlane
import Foundation
import KubernetesAPI
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Ends the test process when a test has not finished in time. A deadlock that blocks the threads of
/// Swift's cooperative pool stops every task, so no deadline kept by a task could fire; this one is
/// kept by a thread of its own.
private final class Watchdog: Sendable {
    private let finished = Mutex(false)

    init(seconds: Double, _ what: String) {
        let deadline = Date().addingTimeInterval(seconds)
        Thread.detachNewThread { [self] in
            while Date() < deadline {
                if finished.withLock({ $0 }) { return }
                Thread.sleep(forTimeInterval: 0.2)
            }
            guard !finished.withLock({ $0 }) else { return }
            FileHandle.standardError.write(Data("\(what) did not finish within \(Int(seconds)) s: the watch cache is deadlocked; ending the test process\n".utf8))
            _exit(1)
        }
    }

    func finish() { finished.withLock { $0 = true } }
}

/// Watches cancelled while the watch cache hands their events over: a client closing its watch (a
/// kubectl watch ended, an informer restarted, a server shutting down) at the moment an event arrives.
/// The cache used to hand events over under its lock while a cancelled watch's cleanup took that lock,
/// and the two waited for each other forever, which stopped every watch of the server.
@Suite struct EtcdWatchCacheCancellationTests {
    @Test func watchesCancelledWhileEventsArriveLeaveTheCacheServing() async throws {
        let watchdog = Watchdog(seconds: 90, "watchesCancelledWhileEventsArriveLeaveTheCacheServing")
        defer { watchdog.finish() }
        let configuration = try await SharedTestEtcd.shared.configuration()
        let store = try await EtcdObjectStore(configuration: configuration)
        let namespace = "cancel-\(UUID().uuidString.prefix(8).lowercased())"
        try await closing(store) {
            try await withThrowingTaskGroup(of: Void.self) { services in
                for service in store.backgroundServices { services.addTask { try await service.run() } }
                try await waitUntil("the watch cache to run") { store.watchCache.isRunning }
                // Every write is an event the cache hands to every watch below.
                services.addTask {
                    var i = 0
                    while !Task.isCancelled {
                        _ = try? await store.create(configMapKey("w-\(i)", namespace: namespace), object: configMap("w-\(i)", namespace: namespace))
                        i += 1
                    }
                }
                let baseline = store.watchCache.subscriberCount
                var received = 0
                for round in 0..<100 {
                    let revision = try await store.currentRevision()
                    received += try await withThrowingTaskGroup(of: Int.self) { watchers in
                        for _ in 0..<40 {
                            watchers.addTask {
                                var events = 0
                                do {
                                    for try await _ in try await store.watch(resource: "configmaps", namespace: namespace, after: revision) { events += 1 }
                                } catch where Task.isCancelled {
                                    // Cancelled while the watch was being opened: as a client gone before its first event.
                                }
                                return events
                            }
                        }
                        // Cancelled after a few events, at a moment that varies by round.
                        try await Task.sleep(for: .milliseconds(5 + (round * 7) % 25))
                        watchers.cancelAll()
                        return try await watchers.reduce(0, +)
                    }
                }
                #expect(received > 0, "the watches received events before they were cancelled")
                // Every cancelled watch left the cache, and it still serves a new watch.
                try await waitUntil("the cancelled watches to leave the cache") { store.watchCache.subscriberCount <= baseline }
                let revision = try await store.currentRevision()
                let watch = try await store.watch(resource: "configmaps", namespace: namespace, after: revision)
                let events = try await collect(watch, count: 1)
                #expect(events.first.map { $0.revision > revision } == true)
                services.cancelAll()
            }
        }
    }
}
