import FederationAPI
import FederationCore
import Foundation
import Testing

/// The hybrid logical clock: parsing, order, local ticks and merges on receive.
struct HybridLogicalClockTests {
    static func at(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    struct Order: Sendable, CustomTestStringConvertible {
        let name: String
        let earlier: String
        let later: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        Order(name: "wall time first", earlier: "100.9@z", later: "101.0@a"),
        Order(name: "counter within one millisecond", earlier: "100.1@z", later: "100.2@a"),
        Order(name: "tie on wall and counter: the greater datacenter name is later", earlier: "100.1@eu-central", later: "100.1@us-east"),
    ])
    func orders(_ c: Order) throws {
        let a = try #require(HLCTimestamp(annotation: c.earlier)), b = try #require(HLCTimestamp(annotation: c.later))
        #expect(a < b)
        #expect(!(b < a))
    }

    @Test(arguments: ["", "100@a", "100.1", "100.1@", "x.1@a", "1.x@a", "-1.0@a", "1.2.3@a"])
    func refusesMalformedAnnotations(_ text: String) {
        #expect(HLCTimestamp(annotation: text) == nil)
    }

    @Test func roundTripsItsAnnotation() {
        let t = HLCTimestamp(wallMilliseconds: 1_733_390_000_123, counter: 4, datacenter: "us-east")
        #expect(t.description == "1733390000123.4@us-east")
        #expect(HLCTimestamp(annotation: t.description) == t)
    }

    struct Tick: Sendable, CustomTestStringConvertible {
        let name: String
        let previous: String?
        let now: Int64
        let expected: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        Tick(name: "first reading takes the wall time", previous: nil, now: 500, expected: "500.0@a"),
        Tick(name: "wall time moved on: counter resets", previous: "400.7@b", now: 500, expected: "500.0@a"),
        Tick(name: "same millisecond: counter advances", previous: "500.2@b", now: 500, expected: "500.3@a"),
        Tick(name: "local wall clock behind the last reading: never goes back", previous: "900.0@b", now: 500, expected: "900.1@a"),
    ])
    func ticksOnLocalWrite(_ c: Tick) {
        let previous = c.previous.flatMap { HLCTimestamp(annotation: $0) }
        let next = HLCTimestamp.tick(after: previous, now: Self.at(c.now), at: "a")
        #expect(next.description == c.expected)
        if let previous { #expect(previous < next) }
    }

    struct Merge: Sendable, CustomTestStringConvertible {
        let name: String
        let local: String?
        let received: String
        let now: Int64
        let expected: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        Merge(name: "physical time ahead of both", local: "100.3@a", received: "200.5@b", now: 300, expected: "300.0@a"),
        Merge(name: "received ahead: take its wall, counter + 1", local: "100.3@a", received: "400.5@b", now: 300, expected: "400.6@a"),
        Merge(name: "local ahead: local counter + 1", local: "500.3@a", received: "400.5@b", now: 300, expected: "500.4@a"),
        Merge(name: "both equal: the larger counter + 1", local: "500.3@a", received: "500.9@b", now: 300, expected: "500.10@a"),
        Merge(name: "no local reading yet", local: nil, received: "500.9@b", now: 300, expected: "500.10@a"),
    ])
    func mergesOnReceive(_ c: Merge) throws {
        let local = c.local.flatMap { HLCTimestamp(annotation: $0) }
        let received = try #require(HLCTimestamp(annotation: c.received))
        let merged = HLCTimestamp.merge(local: local, received: received, now: Self.at(c.now), at: "a")
        #expect(merged.description == c.expected)
        #expect(received < merged)
        if let local { #expect(local < merged) }
    }
}
