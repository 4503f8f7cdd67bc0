import FederationAPI
import FederationCore
import Foundation
import Testing

/// `planService`: make-before-break moves of a ServiceFailover, pass by pass, from persisted status.
struct ServicePlanTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ s: TimeInterval) -> Date { t0.addingTimeInterval(s) }

    static func spec(mode: PromotionMode = .automatic, failback: FailbackMode = .manual, primary: String = "us-east") -> ServiceFailoverSpec {
        ServiceFailoverSpec(
            service: "payment-api", primary: primary,
            failover: [FailoverTarget(datacenter: "us-west", replicas: 3), FailoverTarget(datacenter: "eu-central", replicas: 2)],
            policy: FailoverPolicy(mode: mode, unhealthyForSeconds: 5, failback: failback, stabilizationSeconds: 120),
            migration: MigrationSpec(readinessTimeoutSeconds: 60))
    }

    static func ready(_ name: String, replicas: Int?, since: TimeInterval = -1000, cordoned: Bool = false) -> SiteHealth {
        SiteHealth(name: name, phase: .ready, readySince: at(since), readyReplicas: replicas, unschedulable: cordoned)
    }

    static func lost(_ name: String, since: TimeInterval) -> SiteHealth {
        SiteHealth(name: name, phase: .unreachable, unhealthySince: at(since))
    }

    static func input(
        _ spec: ServiceFailoverSpec = spec(), status: ServiceFailoverStatus?, sites: [SiteHealth], desired: [String: Int], now: TimeInterval,
        failback: Bool = false, generation: Int64 = 1
    ) -> ServiceInput {
        ServiceInput(
            spec: spec, status: status, sites: Dictionary(uniqueKeysWithValues: sites.map { ($0.name, $0) }), desiredReplicas: desired,
            primaryReplicas: 4, failbackRequested: failback, now: at(now), generation: generation)
    }

    @Test func aHealthyPrimaryKeepsItsStandbysAtZeroAndIsReady() {
        let plan = planService(Self.input(status: nil, sites: [Self.ready("us-east", replicas: 4), Self.ready("us-west", replicas: 1), Self.ready("eu-central", replicas: 0)],
                                          desired: ["us-east": 4, "us-west": 1, "eu-central": 0], now: 0))
        #expect(plan.effects == [.scale(datacenter: "us-west", replicas: 0)])
        #expect(plan.status.phase == .active)
        #expect(plan.status.activeDatacenter == "us-east")
        #expect(plan.status.conditions.isTrue(ServiceFailover.ConditionType.ready))
        #expect(!plan.status.conditions.isTrue(ServiceFailover.ConditionType.failedOver))
    }

    @Test func aLostPrimaryFailsOverMakeBeforeBreakAndTheReturningSiteIsScaledDown() throws {
        let standbys = [Self.ready("us-west", replicas: 0), Self.ready("eu-central", replicas: 0)]
        // 3 s after the first failed probe: waiting.
        let waiting = planService(Self.input(status: nil, sites: [Self.lost("us-east", since: 0)] + standbys, desired: ["us-west": 0, "eu-central": 0], now: 3))
        #expect(waiting.effects.isEmpty)
        #expect(waiting.requeueAfter == 2)
        // 5 s: scale the first target up before anything else.
        let started = planService(Self.input(status: waiting.status, sites: [Self.lost("us-east", since: 0)] + standbys, desired: ["us-west": 0, "eu-central": 0], now: 5))
        #expect(started.effects.first == .scale(datacenter: "us-west", replicas: 3))
        #expect(started.status.phase == .failingOver)
        #expect(started.status.activeDatacenter == "us-east", "traffic has not moved yet")
        #expect(started.status.lastTransition?.completedAt == nil)
        #expect(started.status.conditions.isTrue(ServiceFailover.ConditionType.progressing))
        // No replica ready yet: nothing switches.
        let scaling = planService(Self.input(status: started.status, sites: [Self.lost("us-east", since: 0), Self.ready("us-west", replicas: 0), standbys[1]], desired: ["us-west": 3, "eu-central": 0], now: 6))
        #expect(scaling.effects.isEmpty)
        #expect(scaling.status.phase == .failingOver)
        // One ready replica (minReadyReplicas): switch traffic; the dead site cannot be scaled now.
        let switched = planService(Self.input(status: scaling.status, sites: [Self.lost("us-east", since: 0), Self.ready("us-west", replicas: 1), standbys[1]], desired: ["us-west": 3, "eu-central": 0], now: 7.5))
        #expect(switched.effects.first == .switchTraffic(to: "us-west"))
        #expect(!switched.effects.contains(.scale(datacenter: "us-east", replicas: 0)))
        #expect(switched.status.activeDatacenter == "us-west")
        #expect(switched.status.phase == .failedOver)
        let transition = try #require(switched.status.lastTransition)
        #expect(transition.from == "us-east" && transition.reason == ServiceFailover.Reason.datacenterUnreachable)
        #expect(transition.durationSeconds == 2.5)
        #expect(switched.status.history.count == 1)
        #expect(switched.status.conditions.isTrue(ServiceFailover.ConditionType.failedOver))
        // The old primary returns with its replicas: scaled to 0, and (Manual failback) traffic stays.
        let back = planService(Self.input(status: switched.status, sites: [Self.ready("us-east", replicas: 4, since: 20), Self.ready("us-west", replicas: 3), standbys[1]], desired: ["us-east": 4, "us-west": 3, "eu-central": 0], now: 500))
        #expect(back.effects == [.scale(datacenter: "us-east", replicas: 0)])
        #expect(back.status.activeDatacenter == "us-west")
        #expect(back.status.history.count == 1, "one incident, one transition")
    }

    @Test func aManualFailbackMovesHomeWithTheFullCount() {
        let failedOver = Self.failedOverStatus()
        let sites = [Self.ready("us-east", replicas: 0, since: 20), Self.ready("us-west", replicas: 3), Self.ready("eu-central", replicas: 0)]
        let asked = planService(Self.input(status: failedOver, sites: sites, desired: ["us-east": 0, "us-west": 3, "eu-central": 0], now: 100, failback: true))
        #expect(asked.effects.first == .scale(datacenter: "us-east", replicas: 4))
        #expect(asked.status.phase == .migrating)
        // A failback waits for every replica, not just minReadyReplicas.
        let partly = planService(Self.input(status: asked.status, sites: [Self.ready("us-east", replicas: 2, since: 20)] + sites.dropFirst(), desired: ["us-east": 4, "us-west": 3, "eu-central": 0], now: 101))
        #expect(!partly.effects.contains(.switchTraffic(to: "us-east")))
        let home = planService(Self.input(status: partly.status, sites: [Self.ready("us-east", replicas: 4, since: 20)] + sites.dropFirst(), desired: ["us-east": 4, "us-west": 3, "eu-central": 0], now: 102))
        #expect(home.effects.prefix(2) == [.switchTraffic(to: "us-east"), .scale(datacenter: "us-west", replicas: 0)])
        #expect(home.status.phase == .active)
        #expect(home.status.activeDatacenter == "us-east")
        #expect(home.status.history.map(\.reason) == [ServiceFailover.Reason.failback, ServiceFailover.Reason.datacenterUnreachable])
    }

    @Test func automaticFailbackWaitsOutTheWindow() {
        let sites = [Self.ready("us-east", replicas: 0, since: 50), Self.ready("us-west", replicas: 3), Self.ready("eu-central", replicas: 0)]
        let early = planService(Self.input(Self.spec(failback: .automatic), status: Self.failedOverStatus(), sites: sites, desired: ["us-west": 3], now: 100))
        #expect(early.effects.isEmpty)
        #expect(early.requeueAfter == 70)
        let due = planService(Self.input(Self.spec(failback: .automatic), status: Self.failedOverStatus(), sites: sites, desired: ["us-west": 3], now: 170))
        #expect(due.effects.first == .scale(datacenter: "us-east", replicas: 4))
    }

    @Test func nothingFitsMovesNothingWarnsOnceAndStalls() {
        let sites = [Self.lost("us-east", since: 0), Self.ready("us-west", replicas: 0, cordoned: true), SiteHealth(name: "eu-central", phase: .ready, capacityReplicas: 1)]
        let blocked = planService(Self.input(status: nil, sites: sites, desired: [:], now: 10))
        #expect(blocked.effects.count == 1)
        guard case .event(true, ServiceFailover.Reason.noFittingTarget, let message) = blocked.effects.first else {
            Issue.record("expected a Warning event, got \(blocked.effects)")
            return
        }
        #expect(message.contains("us-west: cordoned") && message.contains("eu-central: needs 2 replicas"))
        #expect(blocked.status.phase == .blocked)
        #expect(blocked.status.conditions.isTrue(ServiceFailover.ConditionType.stalled))
        #expect(blocked.status.conditions.condition(ServiceFailover.ConditionType.ready)?.reason == ServiceFailover.Reason.noFittingTarget)
        let again = planService(Self.input(status: blocked.status, sites: sites, desired: [:], now: 11))
        #expect(again.effects.isEmpty, "the Warning is not repeated every pass")
    }

    @Test func manualModeOnlyReports() {
        let sites = [Self.lost("us-east", since: 0), Self.ready("us-west", replicas: 0), Self.ready("eu-central", replicas: 0)]
        let plan = planService(Self.input(Self.spec(mode: .manual), status: nil, sites: sites, desired: [:], now: 10))
        #expect(plan.effects.count == 1)
        #expect(plan.status.activeDatacenter == "us-east")
        #expect(plan.status.conditions.condition(ServiceFailover.ConditionType.ready)?.reason == ServiceFailover.Reason.awaitingManualFailover)
        let again = planService(Self.input(Self.spec(mode: .manual), status: plan.status, sites: sites, desired: [:], now: 11))
        #expect(again.effects.isEmpty)
    }

    @Test func aMovedBackTargetWhoseStatusStillShowsItsOldReplicasIsNotReadyUntilItsStatusIsCurrent() {
        // us-west ran the service until a moment ago: scaled to 0 and straight back up, its status
        // still reports the 4 ready replicas of an earlier spec.
        let moved = Self.spec(primary: "us-west")
        var stale = Self.ready("us-west", replicas: 4)
        stale.statusCurrent = false
        let active = ServiceFailoverStatus(activeDatacenter: "us-east", phase: .active)
        let sites = [Self.ready("us-east", replicas: 4), stale, Self.ready("eu-central", replicas: 0)]
        let started = planService(Self.input(moved, status: active, sites: sites, desired: ["us-east": 4, "us-west": 0], now: 0, generation: 2))
        #expect(started.effects.first == .scale(datacenter: "us-west", replicas: 4))
        let waiting = planService(Self.input(moved, status: started.status, sites: sites, desired: ["us-east": 4, "us-west": 4], now: 1, generation: 2))
        #expect(!waiting.effects.contains(.switchTraffic(to: "us-west")), "a status of an earlier spec says nothing about this one")
        #expect(waiting.status.phase == .migrating)
        #expect(waiting.status.activeDatacenter == "us-east")
        let current = [Self.ready("us-east", replicas: 4), Self.ready("us-west", replicas: 4), Self.ready("eu-central", replicas: 0)]
        let done = planService(Self.input(moved, status: waiting.status, sites: current, desired: ["us-east": 4, "us-west": 4], now: 3, generation: 2))
        #expect(done.effects.first == .switchTraffic(to: "us-west"))
        #expect(done.status.activeDatacenter == "us-west")
    }

    @Test func aMigrationThatNeverBecomesReadyRollsBackOnceUntilTheSpecChanges() {
        let moved = Self.spec(primary: "eu-central")
        let sites = [Self.ready("us-east", replicas: 4), Self.ready("us-west", replicas: 0), Self.ready("eu-central", replicas: 0)]
        let active = ServiceFailoverStatus(activeDatacenter: "us-east", phase: .active)
        let started = planService(Self.input(moved, status: active, sites: sites, desired: ["us-east": 4], now: 0, generation: 2))
        // The new primary runs the primary's count, not its failover entry's.
        #expect(started.effects.first == .scale(datacenter: "eu-central", replicas: 4))
        #expect(started.status.phase == .migrating)
        let timedOut = planService(Self.input(moved, status: started.status, sites: sites, desired: ["us-east": 4, "eu-central": 4], now: 61, generation: 2))
        #expect(timedOut.effects.first == .scale(datacenter: "eu-central", replicas: 0))
        #expect(timedOut.status.phase == .degraded)
        #expect(timedOut.status.activeDatacenter == "us-east", "traffic never left")
        #expect(timedOut.status.conditions.condition(ServiceFailover.ConditionType.progressing)?.reason == ServiceFailover.Reason.readinessTimeout)
        let still = planService(Self.input(moved, status: timedOut.status, sites: sites, desired: ["us-east": 4], now: 62, generation: 2))
        #expect(still.effects.isEmpty, "not retried until the spec changes")
        #expect(still.status.phase == .degraded)
        #expect(still.status.conditions.isTrue(ServiceFailover.ConditionType.stalled))
        let retried = planService(Self.input(moved, status: still.status, sites: sites, desired: ["us-east": 4], now: 63, generation: 3))
        #expect(retried.effects.first == .scale(datacenter: "eu-central", replicas: 4))
    }

    @Test func aRolledBackFailbackWaitsANewWindowOrANewerRequest() {
        let sites = [Self.ready("us-east", replicas: 0, since: 20), Self.ready("us-west", replicas: 3), Self.ready("eu-central", replicas: 0)]
        let desired = ["us-east": 0, "us-west": 3, "eu-central": 0]
        let auto = Self.spec(failback: .automatic)
        let started = planService(Self.input(auto, status: Self.failedOverStatus(), sites: sites, desired: desired, now: 150))
        #expect(started.effects.first == .scale(datacenter: "us-east", replicas: 4))
        // us-east never gets ready: rolled back after readinessTimeoutSeconds (60).
        let rolledBack = planService(Self.input(auto, status: started.status, sites: sites, desired: ["us-east": 4, "us-west": 3, "eu-central": 0], now: 211))
        #expect(rolledBack.status.phase == .degraded)
        #expect(rolledBack.status.activeDatacenter == "us-west")
        var status = rolledBack.status
        for t in [212.0, 213, 300, 330] {
            let pass = planService(Self.input(auto, status: status, sites: sites, desired: desired, now: t))
            #expect(!pass.effects.contains(.scale(datacenter: "us-east", replicas: 4)), "failback retried at \(t), inside the new window")
            status = pass.status
        }
        let again = planService(Self.input(auto, status: status, sites: sites, desired: desired, now: 332))
        #expect(again.effects.first == .scale(datacenter: "us-east", replicas: 4))
        // Manual: the request that led to the rollback does not restart it; a newer one does.
        var manual = ServiceInput(
            spec: Self.spec(), status: rolledBack.status, sites: Dictionary(uniqueKeysWithValues: sites.map { ($0.name, $0) }), desiredReplicas: desired,
            primaryReplicas: 4, failbackRequested: true, failbackRequestedAt: Self.at(140), now: Self.at(215), generation: 1)
        #expect(!planService(manual).effects.contains(.scale(datacenter: "us-east", replicas: 4)))
        manual.failbackRequestedAt = Self.at(214)
        #expect(planService(manual).effects.first == .scale(datacenter: "us-east", replicas: 4))
    }

    @Test func aTargetLostDuringTheFailoverIsReplacedByTheNextThatFits() {
        let sites0 = [Self.lost("us-east", since: 0), Self.ready("us-west", replicas: 0), Self.ready("eu-central", replicas: 0)]
        let started = planService(Self.input(status: nil, sites: sites0, desired: [:], now: 5))
        #expect(started.status.lastTransition?.to == "us-west")
        let sites1 = [Self.lost("us-east", since: 0), Self.lost("us-west", since: 5.5), Self.ready("eu-central", replicas: 0)]
        let retargeted = planService(Self.input(status: started.status, sites: sites1, desired: ["us-west": 3], now: 9))
        #expect(retargeted.status.lastTransition?.to == "eu-central")
        #expect(retargeted.effects.contains(.scale(datacenter: "eu-central", replicas: 2)))
        #expect(retargeted.status.activeDatacenter == "us-east")
    }

    @Test func aNewPrimaryWhileFailedOverIsAMigrationAndAChainOfFailoversStillWaitsForFailback() {
        let sites = [Self.ready("us-east", replicas: 0, since: 20), Self.ready("us-west", replicas: 3), Self.ready("eu-central", replicas: 0)]
        let desired = ["us-east": 0, "us-west": 3, "eu-central": 0]
        // Failed over away from us-east; a person now names eu-central the primary: it moves there, planned.
        var moved = Self.spec(primary: "eu-central")
        moved.failover = [FailoverTarget(datacenter: "us-west", replicas: 3), FailoverTarget(datacenter: "us-east")]
        let migration = planService(Self.input(moved, status: Self.failedOverStatus(), sites: sites, desired: desired, now: 100))
        #expect(migration.effects.first == .scale(datacenter: "eu-central", replicas: 4))
        #expect(migration.status.lastTransition?.reason == ServiceFailover.Reason.plannedMigration)
        // us-east → us-west → eu-central by two failovers: still failed over from us-east, so it waits for a failback request.
        let second = FailoverTransition(
            from: "us-west", to: "eu-central", reason: ServiceFailover.Reason.datacenterUnreachable, startedAt: KubeTime(Self.at(50)),
            completedAt: KubeTime(Self.at(55)), durationSeconds: 5)
        var chained = Self.failedOverStatus()
        chained.activeDatacenter = "eu-central"
        chained.lastTransition = second
        chained.history = [second] + chained.history
        let waiting = planService(Self.input(status: chained, sites: sites.map { $0.name == "eu-central" ? Self.ready("eu-central", replicas: 2) : $0 }, desired: ["us-east": 0, "us-west": 0, "eu-central": 2], now: 100))
        #expect(waiting.effects.isEmpty)
        #expect(waiting.status.phase == .failedOver)
    }

    /// Failed over from us-east to us-west at 10 s.
    static func failedOverStatus() -> ServiceFailoverStatus {
        let move = FailoverTransition(
            from: "us-east", to: "us-west", reason: ServiceFailover.Reason.datacenterUnreachable, startedAt: KubeTime(at(5)),
            completedAt: KubeTime(at(10)), durationSeconds: 5)
        return ServiceFailoverStatus(activeDatacenter: "us-west", phase: .failedOver, lastTransition: move, history: [move])
    }
}
