import FederationAPI
import Foundation
import Testing

/// `[Condition].set` follows `meta.SetStatusCondition`.
struct ConditionTests {
    static let t0 = KubeTime(Date(timeIntervalSince1970: 1_000))
    static let t1 = KubeTime(Date(timeIntervalSince1970: 2_000))

    static func ready(_ status: ConditionStatus, at time: KubeTime, reason: String = "Healthy", message: String = "", generation: Int64? = 1) -> Condition {
        Condition(type: "Ready", status: status, observedGeneration: generation, lastTransitionTime: time, reason: reason, message: message)
    }

    struct SetCase: Sendable, CustomTestStringConvertible {
        let name: String
        let before: [Condition]
        let new: Condition
        let after: [Condition]
        let changed: Bool
        var testDescription: String { name }
    }

    static let cases: [SetCase] = [
        SetCase(name: "new type is appended with its time", before: [], new: ready(.true, at: t1), after: [ready(.true, at: t1)], changed: true),
        SetCase(
            name: "same status keeps lastTransitionTime", before: [ready(.true, at: t0)], new: ready(.true, at: t1),
            after: [ready(.true, at: t0)], changed: false
        ),
        SetCase(
            name: "status change moves lastTransitionTime", before: [ready(.true, at: t0)], new: ready(.false, at: t1, reason: "Unreachable"),
            after: [ready(.false, at: t1, reason: "Unreachable")], changed: true
        ),
        SetCase(
            name: "reason and message change without moving the time", before: [ready(.true, at: t0)],
            new: ready(.true, at: t1, reason: "Suspect", message: "1 probe failed"),
            after: [ready(.true, at: t0, reason: "Suspect", message: "1 probe failed")], changed: true
        ),
        SetCase(
            name: "observedGeneration change alone is a change", before: [ready(.true, at: t0)], new: ready(.true, at: t1, generation: 2),
            after: [ready(.true, at: t0, generation: 2)], changed: true
        ),
        SetCase(
            name: "other types are untouched and order kept",
            before: [Condition(type: "Registered", status: .true, lastTransitionTime: t0, reason: "Connected"), ready(.unknown, at: t0, reason: "AwaitingFirstProbe")],
            new: ready(.true, at: t1),
            after: [Condition(type: "Registered", status: .true, lastTransitionTime: t0, reason: "Connected"), ready(.true, at: t1)], changed: true
        ),
    ]

    @Test(arguments: cases)
    func setFollowsSetStatusCondition(_ c: SetCase) {
        var conditions = c.before
        let changed = conditions.set(c.new)
        #expect(conditions == c.after)
        #expect(changed == c.changed)
    }

    @Test func lookupsAndRemoval() {
        var conditions = [Self.ready(.true, at: Self.t0), Condition(type: "Stalled", status: .false, lastTransitionTime: Self.t0, reason: "Fine")]
        #expect(conditions.isTrue("Ready"))
        #expect(!conditions.isTrue("Stalled"))
        #expect(!conditions.isTrue("Missing"))
        #expect(conditions.condition("Stalled")?.reason == "Fine")
        let removed = conditions.remove("Stalled")
        let removedAgain = conditions.remove("Stalled")
        #expect(removed)
        #expect(!removedAgain)
        #expect(conditions.map(\.type) == ["Ready"])
    }

    @Test func conditionEncodesEveryRequiredField() throws {
        let json = try JSONValue(encoding: Condition(type: "Ready", status: .false, lastTransitionTime: Self.t0, reason: "Pending"))
        #expect(json == ["type": "Ready", "status": "False", "lastTransitionTime": "1970-01-01T00:16:40Z", "reason": "Pending", "message": ""])
    }
}
