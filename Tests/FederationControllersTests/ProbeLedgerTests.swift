import FederationAPI
import FederationCore
import Foundation
import Testing

@testable import FederationControllers

struct ProbeLedgerTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func drainReturnsEveryObservationOnceInOrder() async {
        let ledger = ProbeLedger()
        await ledger.record("a", .failure(reason: "ProbeTimeout", message: "1"), at: t0)
        await ledger.record("a", .success(latency: .milliseconds(3), serverVersion: nil), at: t0.addingTimeInterval(1))
        await ledger.record("b", .failure(reason: "ConnectionFailed", message: "x"), at: t0)
        let first = await ledger.drain("a")
        #expect(first.observations.map(\.at) == [t0, t0.addingTimeInterval(1)])
        #expect(first.observations.first?.result == .failure(reason: "ProbeTimeout", message: "1"))
        #expect(await ledger.drain("a").observations.isEmpty)
        #expect(await ledger.drain("b").observations.count == 1)
    }

    @Test func computedStatusSurvivesDrainsUntilForgotten() async {
        let ledger = ProbeLedger()
        var status = DatacenterStatus()
        status.consecutiveFailures = 2
        await ledger.setComputed("a", status)
        #expect(await ledger.drain("a").computed?.consecutiveFailures == 2)
        #expect(await ledger.drain("a").computed?.consecutiveFailures == 2)
        await ledger.forget("a")
        #expect(await ledger.drain("a").computed == nil)
    }

    @Test func boundedBacklogKeepsTheNewest() async {
        let ledger = ProbeLedger(capacity: 3)
        for i in 0..<5 { await ledger.record("a", .failure(reason: "R", message: "\(i)"), at: t0.addingTimeInterval(Double(i))) }
        let drained = await ledger.drain("a").observations
        #expect(drained.map(\.at) == [2, 3, 4].map { t0.addingTimeInterval($0) })
    }
}
