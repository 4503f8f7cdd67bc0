import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Synchronization
import Testing

/// Finalizer and status helpers: what they send, and when they send nothing.
struct ObjectHelpersTests {
    static let t0 = KubeTime(Date(timeIntervalSince1970: 1_800_000_000))

    /// A fake that answers every PATCH with `object`.
    static func echo(_ object: JSONValue) -> FakeKubeTransport {
        FakeKubeTransport { _ in .json(200, object) }
    }

    static func datacenter(finalizers: [String]? = nil, status: DatacenterStatus? = nil) -> Datacenter {
        var dc = Datacenter(metadata: ObjectMeta(name: "east"), spec: DatacenterSpec(region: "r"))
        dc.metadata.resourceVersion = "7"
        dc.metadata.generation = 3
        dc.metadata.finalizers = finalizers
        dc.status = status
        return dc
    }

    static func body(_ request: KubeRequest?) throws -> JSONValue {
        try JSONValue(parsing: try #require(request?.body))
    }

    @Test func ensureFinalizerPatchesTheListWithTheResourceVersion() async throws {
        let dc = Self.datacenter(finalizers: ["other/keep"])
        let fake = Self.echo(try JSONValue(encoding: dc))
        let written = try await KubeClient(transport: fake).resource(Datacenter.self).ensureFinalizer("concord/cleanup", on: dc)
        #expect(written != nil)
        let request = try #require(fake.requests.first)
        #expect(request.method == .patch)
        #expect(request.contentType == "application/merge-patch+json")
        #expect(try Self.body(request) == ["metadata": ["finalizers": ["other/keep", "concord/cleanup"], "resourceVersion": "7"]])
    }

    @Test func ensureFinalizerReadsTheObjectAgainAfterAConflictAndKeepsWhatChanged() async throws {
        let stale = Self.datacenter(finalizers: ["other/keep"])
        var fresh = Self.datacenter(finalizers: ["other/keep", "other/new"])
        fresh.metadata.resourceVersion = "8"
        let freshJSON = try JSONValue(encoding: fresh)
        let patches = Counter()
        let fake = FakeKubeTransport { request in
            if request.method == .get { return .json(200, freshJSON) }
            return patches.next() == 1 ? KubeResponse.status(409, reason: "Conflict", message: "the object has been modified") : .json(200, freshJSON)
        }
        let written = try await KubeClient(transport: fake).resource(Datacenter.self).ensureFinalizer("concord/cleanup", on: stale)
        #expect(written != nil)
        #expect(fake.requests.map(\.method) == [.patch, .get, .patch])
        #expect(try Self.body(fake.requests.last) == ["metadata": ["finalizers": ["other/keep", "other/new", "concord/cleanup"], "resourceVersion": "8"]])
    }

    @Test func ensureFinalizerGivesUpAfterThreeConflicts() async throws {
        let fake = FakeKubeTransport { request in
            request.method == .get ? .json(200, try JSONValue(encoding: Self.datacenter())) : KubeResponse.status(409, reason: "Conflict", message: "modified")
        }
        await #expect(throws: KubeAPIError.self) {
            try await KubeClient(transport: fake).resource(Datacenter.self).ensureFinalizer("concord/cleanup", on: Self.datacenter())
        }
        #expect(fake.requests.map(\.method) == [.patch, .get, .patch, .get, .patch])
    }

    @Test func ensureFinalizerSendsNothingWhenPresent() async throws {
        let fake = FakeKubeTransport()
        let written = try await KubeClient(transport: fake).resource(Datacenter.self).ensureFinalizer("concord/cleanup", on: Self.datacenter(finalizers: ["concord/cleanup"]))
        #expect(written == nil)
        #expect(fake.requests.isEmpty)
    }

    @Test func removingTheLastFinalizerSendsNullAndAGoneObjectIsFine() async throws {
        let fake = FakeKubeTransport()  // answers 404: the object went away
        let written = try await KubeClient(transport: fake).resource(Datacenter.self).removeFinalizer("concord/cleanup", from: Self.datacenter(finalizers: ["concord/cleanup"]))
        #expect(written == nil)
        #expect(try Self.body(fake.requests.first) == ["metadata": ["finalizers": nil, "resourceVersion": "7"]])
    }

    @Test func setConditionsWritesOnlyConditionsAndObservedGeneration() async throws {
        var status = DatacenterStatus(observedGeneration: 2, phase: .ready, role: .primary)
        status.conditions = [Condition(type: "Ready", status: .true, observedGeneration: 2, lastTransitionTime: Self.t0, reason: "Healthy")]
        let dc = Self.datacenter(status: status)
        let fake = Self.echo(try JSONValue(encoding: dc))
        let stalled = Condition(type: "Stalled", status: .true, lastTransitionTime: Self.t0, reason: "CleanupTimedOut", message: "left behind")
        let written = try await KubeClient(transport: fake).resource(Datacenter.self).setConditions([stalled], on: dc, empty: DatacenterStatus())
        #expect(written != nil)
        let request = try #require(fake.requests.first)
        #expect(request.path.hasSuffix("/datacenters/east/status"))
        let sent = try Self.body(request)
        #expect(sent.value(at: ["status"])?.objectValue?.keys.sorted() == ["conditions", "observedGeneration"], "role and phase are not this writer's")
        #expect(sent.value(at: ["status", "observedGeneration"]) == .int(3))
        #expect(sent.value(at: ["metadata"]) == nil, "no resourceVersion precondition")
        let conditions: [Condition] = try #require(sent.value(at: ["status", "conditions"])).decode()
        #expect(conditions.map(\.type) == ["Ready", "Stalled"])
        #expect(conditions[1].observedGeneration == 3, "a condition without observedGeneration gets the object's generation")
    }

    @Test func setConditionsSendsNothingWhenNothingChanged() async throws {
        var status = DatacenterStatus(observedGeneration: 3)
        status.conditions = [Condition(type: "Ready", status: .true, observedGeneration: 3, lastTransitionTime: Self.t0, reason: "Healthy")]
        let fake = FakeKubeTransport()
        let later = Condition(type: "Ready", status: .true, observedGeneration: 3, lastTransitionTime: KubeTime(Date(timeIntervalSince1970: 1_900_000_000)), reason: "Healthy")
        let written = try await KubeClient(transport: fake).resource(Datacenter.self).setConditions([later], on: Self.datacenter(status: status), empty: DatacenterStatus())
        #expect(written == nil)
        #expect(fake.requests.isEmpty)
    }

    @Test func statusPatchCarriesTheOwnedFieldsAndNullsTheEmptyOnes() throws {
        let status = DatacenterStatus(observedGeneration: 4, phase: .suspect, role: .secondary, consecutiveFailures: 1)
        let patch = try StatusPatch.merge(status, fields: ["phase", "consecutiveFailures", "unhealthySince"])
        #expect(patch == ["status": ["phase": "Suspect", "consecutiveFailures": 1, "unhealthySince": nil]])
    }
}

/// Counts calls, from any task.
final class Counter: Sendable {
    private let count = Mutex(0)
    /// The number of this call, from 1.
    func next() -> Int { count.withLock { $0 += 1; return $0 } }
}
