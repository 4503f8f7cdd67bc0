import ControllerRuntime
import FederationAPI
import Foundation
import Synchronization
import Testing

@testable import FederationControllers

/// `concord_replication_lag_seconds` series follow the rule: a target, a source or a rule that is
/// gone takes its series along, so an alert never fires on a lag nobody measures any more.
struct ReplicationMetricsTests {
    static func synced(_ datacenter: String, _ lag: Double) -> ReplicationTargetStatus {
        ReplicationTargetStatus(datacenter: datacenter, state: .synced, lagSeconds: lag)
    }

    static func series(_ registry: MetricsRegistry) -> [String] {
        registry.exposition().split(separator: "\n").filter { $0.hasPrefix("concord_replication_lag_seconds{") }.map(String.init).sorted()
    }

    @Test func lagSeriesEndWithTheirTargetTheirSourceAndTheirRule() {
        let registry = MetricsRegistry()
        let metrics = ReplicationMetrics(registry: registry)
        metrics.lags([Self.synced("us-west", 1.5), Self.synced("eu-west", 0)], rule: "shop/r", source: "us-east")
        metrics.lags([Self.synced("us-west", 0.25)], rule: "shop/other", source: "us-east")
        #expect(Self.series(registry).count == 3)
        #expect(Self.series(registry).contains { $0.contains(#"rule="shop/r""#) && $0.contains(#"target_dc="us-west""#) && $0.hasSuffix(" 1.5") })
        // eu-west left the rule; an Unreachable target the source wrote nothing for since reads 0.
        metrics.lags([Self.synced("us-west", 0), ReplicationTargetStatus(datacenter: "ap-south", state: .unreachable)], rule: "shop/r", source: "us-east")
        #expect(!Self.series(registry).contains { $0.contains(#"target_dc="eu-west""#) })
        #expect(Self.series(registry).count == 3)
        #expect(Self.lag(registry, "ap-south") == 0)
        // A promotion: the rule now reads from us-west, and us-east is a target.
        metrics.lags([Self.synced("us-east", 0.5)], rule: "shop/r", source: "us-west")
        #expect(Self.series(registry).filter { $0.contains(#"rule="shop/r""#) }.allSatisfy { $0.contains(#"source_dc="us-west""#) })
        // The rule is deleted.
        metrics.forget(rule: "shop/r")
        #expect(Self.series(registry).count == 1)
        #expect(Self.series(registry).first?.contains(#"rule="shop/other""#) == true)
    }

    /// The value of the one series of `target`.
    static func lag(_ registry: MetricsRegistry, _ target: String) -> Double? {
        series(registry).first { $0.contains(#"target_dc="\#(target)""#) }.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    @Test func aTargetThatCannotBeWrittenLagsMoreAtEveryScrapeUntilItIsSyncedAgain() {
        let registry = MetricsRegistry()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = SetClock(start)
        let metrics = ReplicationMetrics(registry: registry, now: { clock.now })
        let away = ReplicationTargetStatus(datacenter: "ap-south", state: .unreachable)
        let failing = ReplicationTargetStatus(datacenter: "eu-west", state: .failed)
        let fresh = ReplicationTargetStatus(datacenter: "sa-east", state: .failed)
        // ap-south lacks a write made 4 s ago; eu-west refuses writes but lacks nothing; sa-east was never in sync.
        metrics.lags(
            [Self.synced("us-west", 0.2), away, failing, fresh], rule: "shop/r", source: "us-east",
            waiting: ["ap-south": start.addingTimeInterval(-4)], sinceFirstSeen: ["sa-east"])
        #expect(Self.lag(registry, "ap-south") == 4)
        #expect(Self.lag(registry, "eu-west") == 0)
        #expect(Self.lag(registry, "sa-east") == 0)
        // No pass runs meanwhile (nothing changes at the source): the scrape itself measures the wait.
        clock.now = start.addingTimeInterval(90)
        #expect(Self.lag(registry, "ap-south") == 94)
        #expect(Self.lag(registry, "sa-east") == 90)
        #expect(Self.lag(registry, "us-west") == 0.2)
        // A later pass keeps sa-east's start; ap-south returns and its writes are acknowledged.
        clock.now = start.addingTimeInterval(100)
        metrics.lags([Self.synced("us-west", 0), Self.synced("ap-south", 1.5), failing, fresh], rule: "shop/r", source: "us-east", sinceFirstSeen: ["sa-east"])
        #expect(Self.lag(registry, "ap-south") == 1.5)
        #expect(Self.lag(registry, "sa-east") == 100)
        // A deleted rule's waits end with it: no scrape brings a series back.
        metrics.forget(rule: "shop/r")
        #expect(Self.series(registry).isEmpty)
    }
}

/// A time the test sets.
final class SetClock: Sendable {
    private let time: Mutex<Date>
    init(_ start: Date) { time = Mutex(start) }
    var now: Date {
        get { time.withLock { $0 } }
        set { time.withLock { $0 = newValue } }
    }
}

/// Writes that keep failing are retried ever more slowly, and a pass without failures starts over.
struct ReplicationRetriesTests {
    @Test func failingWritesBackOffToTheCapAndASuccessStartsOver() {
        let retries = ReplicationRetries()
        let rule = ObjectKey(namespace: "shop", name: "r"), other = ObjectKey(namespace: "shop", name: "s")
        let waits = (0..<10).map { _ in retries.afterFailure(rule, base: .seconds(2)) }
        #expect(waits == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300].map { Duration.seconds($0) })
        #expect(retries.afterFailure(other, base: .seconds(2)) == .seconds(2), "rules back off apart")
        retries.reset(rule)
        #expect(retries.afterFailure(rule, base: .seconds(2)) == .seconds(2))
    }
}
