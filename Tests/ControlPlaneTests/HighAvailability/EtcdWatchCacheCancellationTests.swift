import ConcordTesting
@testable import ControlPlane
import Foundation
import KubernetesAPI
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Ends the test process when a test stops making progress: no ``beat()`` for `seconds`. A deadlock
/// that blocks the threads of Swift's cooperative pool stops every task, so no deadline kept by a task
/// could fire; this one is kept by a thread of its own. A test that is only slow (a loaded machine)
/// keeps beating and is left to finish.
private final class Watchdog: Sendable {
    private let beats = DispatchSemaphore(value: 0)
    private let finished = Mutex(false)

    init(seconds: Double, _ what: String) {
        Thread.detachNewThread { [self] in
            while beats.wait(timeout: .now() + seconds) == .success {
                if finished.withLock({ $0 }) { return }
            }
            FileHandle.standardError.write(Data("\(what) made no progress for \(Int(seconds)) s: the watch cache is deadlocked; ending the test process\n".utf8))
            _exit(1)
        }
    }

    /// The test made progress.
    func beat() { beats.signal() }

    /// The test ended.
    func finish() {
        finished.withLock { $0 = true }
        beats.signal()
    }
}

/// Watches cancelled while the watch cache hands their events over: a client closing its watch (a
/// kubectl watch ended, an informer restarted, a server shutting down) at the moment an event arrives.
/// The cache used to hand events over under its lock while a cancelled watch's cleanup took that lock,
/// and the two waited for each other forever, which stopped every watch of the server.
@Suite struct EtcdWatchCacheCancellationTests {
    @Test func watchesCancelledWhileEventsArriveLeaveTheCacheServing() async throws {
        let watchdog = Watchdog(seconds: 60, "watchesCancelledWhileEventsArriveLeaveTheCacheServing")
        defer { watchdog.finish() }
        let configuration = try await SharedTestEtcd.shared.configuration()
        let store = try await EtcdObjectStore(configuration: configuration)
        let namespace = "cancel-\(UUID().uuidString.prefix(8).lowercased())"
        try await closing(store) {
            try await withThrowingTaskGroup(of: Void.self) { services in
                for service in store.backgroundServices { services.addTask { try await service.run() } }
                try await waitUntil("the watch cache to run") { store.watchCache.isRunning }
                let baseline = store.watchCache.subscriberCount
                let (received, rounds) = try await withThrowingTaskGroup(of: Void.self) { writers in
                    // Every write is an event the cache hands to every watch below, until the writers stop.
                    // A writer waits while the cache is more than 200 revisions behind its write: the cache reads
                    // the resource's etcd watch one event at a time, and three writers on a loaded machine
                    // outran it by thousands of events (a round, which waits for a write after its start,
                    // then took seconds).
                    for writer in 0..<3 {
                        writers.addTask {
                            var i = 0
                            while !Task.isCancelled {
                                let name = "w\(writer)-\(i)"
                                do {
                                    let created = try await store.create(configMapKey(name, namespace: namespace), object: configMap(name, namespace: namespace))
                                    try await waitUntil("the watch cache to come within 200 revisions of a write", timeout: .seconds(60), every: .milliseconds(2)) {
                                        created.revision - (store.watchCache.publishedRevision("configmaps") ?? created.revision) <= 200
                                    }
                                } catch where Task.isCancelled {
                                    return
                                }
                                i += 1
                            }
                        }
                    }
                    // 100 rounds take 3–7 s on an idle machine; on a loaded one the rounds stop after 30 s,
                    // but not before 20.
                    let clock = ContinuousClock(), stopAt = clock.now + .seconds(30)
                    var received = 0, rounds = 0
                    while rounds < 100, rounds < 20 || clock.now < stopAt {
                        rounds += 1
                        watchdog.beat()
                        received += try await cancelAfterTheirFirstEvents(store, namespace: namespace)
                    }
                    writers.cancelAll()
                    return (received, rounds)
                }
                watchdog.beat()
                #expect(received >= watchers * rounds, "every watch received an event before it was cancelled")
                // Every cancelled watch left the cache, and it still serves a new watch.
                try await waitUntil("the cancelled watches to leave the cache") { store.watchCache.subscriberCount <= baseline }
                let revision = try await store.currentRevision()
                let watch = try await store.watch(resource: "configmaps", namespace: namespace, after: revision)
                let created = try await store.create(configMapKey("after-the-rounds", namespace: namespace), object: configMap("after-the-rounds", namespace: namespace))
                watchdog.beat()
                let events = try await collect(watch, count: 1, seconds: 30)
                #expect(events.first.map { $0.revision > revision && $0.revision <= created.revision } == true)
                services.cancelAll()
            }
        }
    }

    private let watchers = 40

    /// Opens `watchers` watches from the current revision, waits until each has its first event, then
    /// cancels them all while the writes go on, so the cache is handing them events as they go. Returns
    /// the events they received.
    private func cancelAfterTheirFirstEvents(_ store: EtcdObjectStore, namespace: String) async throws -> Int {
        let revision = try await store.currentRevision()
        let (firsts, first) = AsyncStream<Void>.makeStream()
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<watchers {
                group.addTask {
                    var events = 0
                    for try await _ in try await store.watch(resource: "configmaps", namespace: namespace, after: revision) {
                        events += 1
                        if events == 1 { first.yield() }
                    }
                    return events
                }
            }
            var ready = 0
            for await _ in firsts {
                ready += 1
                if ready == watchers { break }
            }
            group.cancelAll()
            return try await group.reduce(0, +)
        }
    }
}
