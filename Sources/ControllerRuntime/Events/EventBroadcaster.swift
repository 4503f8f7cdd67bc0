import Foundation
import KubeClient
import KubernetesAPI
import Logging
import ServiceLifecycle
import Synchronization

/// Sends events.k8s.io/v1 Events to the API server, as client-go's `tools/events` broadcaster does:
/// - a bounded queue (1000): when full, new events are dropped, never blocking the caller;
/// - series deduplication (`EventSeriesCache`): POST, then one PATCH of `series`, then local counts;
///   open series are re-sent every 30 min and closed after 6 min idle;
/// - up to 8 sends at once; transport errors are retried (12 tries, 10 s apart, +25 % jitter);
///   any answer of the API server (an invalid event, a forbidden namespace) drops the event.
///
/// Run it as a service (the manager does, before the informers); events recorded earlier wait in the queue.
public final class EventBroadcaster: Service, Sendable {
    private let events: ResourceClient<Event>
    private let stream: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let cache = Mutex(EventSeriesCache())
    private let dropped = Mutex(0)
    private let clock: RuntimeClock
    /// Wall time stamped on events.
    let now: @Sendable () -> Date
    private let random: @Sendable () -> Double
    private let logger: Logger
    /// Pause between tries after a transport error (jittered by up to +25 %).
    public let retryInterval: Duration
    /// Tries per event.
    public let maxAttempts: Int
    /// Concurrent sends.
    public let workers: Int

    /// Creates a broadcaster writing through `client`.
    public init(
        client: KubeClient, queueCapacity: Int = 1000, workers: Int = 8, retryInterval: Duration = .seconds(10), maxAttempts: Int = 12,
        clock: some Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, logger: Logger = Logger(label: "concord.events")
    ) {
        self.events = client.resource(Event.self)
        (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingOldest(max(1, queueCapacity)))
        self.clock = RuntimeClock(clock)
        self.now = now
        self.random = random
        self.logger = logger
        self.retryInterval = retryInterval
        self.maxAttempts = max(1, maxAttempts)
        self.workers = max(1, workers)
    }

    /// A recorder for one controller.
    public func recorder(for controller: String, instance: String? = nil) -> EventRecorder {
        EventRecorder(broadcaster: self, reportingController: controller, reportingInstance: instance)
    }

    /// Events dropped because the queue was full.
    public var droppedCount: Int { dropped.withLock { $0 } }

    func submit(_ event: Event) {
        if case .dropped = continuation.yield(event) {
            dropped.withLock { $0 += 1 }
            logger.debug("Event queue full; dropped event", metadata: ["reason": "\(event.reason ?? "")"])
        }
    }

    /// Sends queued events until graceful shutdown or cancellation.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { outer in
                outer.addTask { await self.maintainSeries() }
                await withTaskGroup(of: Void.self) { sends in
                    var inFlight = 0
                    for await event in stream {
                        let action = cache.withLock { $0.observe(event, now: now()) }
                        if case .none = action { continue }
                        if inFlight >= workers {
                            await sends.next()
                            inFlight -= 1
                        }
                        sends.addTask { await self.deliver(action) }
                        inFlight += 1
                    }
                }
                outer.cancelAll()
            }
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }

    private func maintainSeries() async {
        let period = Duration.seconds(60)
        while (try? await clock.sleep(for: period)) != nil {
            let due = cache.withLock { $0.maintain(now: now()) }
            for event in due { await deliver(.patchSeries(event)) }
        }
    }

    /// Sends one action, retrying transport errors.
    func deliver(_ action: EventSeriesCache.Action) async {
        for attempt in 1...maxAttempts {
            do {
                switch action {
                case .create(let e): _ = try await create(e)
                case .patchSeries(let e): try await patchSeries(e)
                case .none: return
                }
                return
            } catch let error as KubeAPIError {
                logger.log(level: error.isAlreadyExists ? .debug : .error, "Server rejected event (will not retry!)", metadata: ["error": "\(error)"])
                return
            } catch {
                if Task.isCancelled || error is CancellationError { return }
                if attempt == maxAttempts {
                    logger.error("Unable to write event (retry limit exceeded!)", metadata: ["error": "\(error)"])
                    return
                }
                do { try await clock.sleep(for: retryInterval + retryInterval * (0.25 * random())) } catch { return }
            }
        }
    }

    private func create(_ e: Event) async throws -> Event {
        var fresh = e
        fresh.metadata.resourceVersion = nil
        fresh.series = nil
        return try await events.create(fresh, namespace: e.metadata.namespace)
    }

    /// PATCHes the series; an event that is missing is created again, with its series. Sends run
    /// concurrently, so the PATCH can overtake the first POST: then the create finds it and patches once more.
    private func patchSeries(_ e: Event) async throws {
        guard let series = e.series else { return }
        let patch: JSONValue = ["series": ["count": .int(Int64(series.count)), "lastObservedTime": .string(series.lastObservedTime.description)]]
        let name = e.metadata.name ?? ""
        do {
            _ = try await events.patch(name, namespace: e.metadata.namespace, type: .merge, patch: patch)
        } catch let error as KubeAPIError where error.isNotFound {
            var again = e
            again.metadata.resourceVersion = nil
            do {
                _ = try await events.create(again, namespace: e.metadata.namespace)
            } catch let error as KubeAPIError where error.isAlreadyExists {
                _ = try await events.patch(name, namespace: e.metadata.namespace, type: .merge, patch: patch)
            }
        }
    }
}
