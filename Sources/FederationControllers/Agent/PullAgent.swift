import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging
import ServiceLifecycle

/// Settings of a Pull-mode agent.
public struct PullAgentOptions: Sendable {
    /// The datacenter's name in the hub.
    public var datacenter: String
    /// `spec.region` written when the agent registers.
    public var region: String
    /// Optional `spec.zone`.
    public var zone: String?
    /// Optional `spec.provider`.
    public var provider: String?
    /// `leaseDurationSeconds`; the Lease is renewed every quarter of it.
    public var leaseDurationSeconds: Int
    /// The Lease holder identity (`hostname_uuid` by default).
    public var identity: String

    /// Creates options.
    public init(datacenter: String, region: String, zone: String? = nil, provider: String? = nil, leaseDurationSeconds: Int = 15, identity: String? = nil) {
        self.datacenter = datacenter
        self.region = region
        self.zone = zone
        self.provider = provider
        self.leaseDurationSeconds = leaseDurationSeconds
        self.identity = identity ?? "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased())"
    }
}

/// `concord agent`: runs inside (or beside) a member datacenter, registers it in the hub as a
/// Pull-mode Datacenter and renews the Lease `concord-system/dc-<name>` every quarter of its
/// duration. With a member kubeconfig it renews only while the member's API server answers, so
/// the hub sees the member's health, installs the fencing marker in the member and keeps it at the
/// epoch of the FederationPolicy in the hub (the hub cannot reach a Pull member to fence it).
public struct PullAgent: Service {
    let hub: KubeClient
    let member: KubeClient?
    let options: PullAgentOptions
    let clock: any Clock<Duration>
    /// `clock`, wrapped once for time limits.
    let runtimeClock: RuntimeClock
    let now: @Sendable () -> Date
    let logger: Logger

    /// Creates an agent; `member` is optional.
    public init(hub: KubeClient, member: KubeClient?, options: PullAgentOptions, clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.hub = hub
        self.member = member
        self.options = options
        self.clock = clock
        self.runtimeClock = RuntimeClock(clock)
        self.now = now
        self.logger = logger
    }

    /// Registers, then renews until graceful shutdown or cancellation.
    public func run() async throws {
        try await register()
        if let member {
            do {
                try await MemberFootprint.install(on: member, datacenter: options.datacenter, timeout: .seconds(5), clock: runtimeClock)
            } catch {
                logger.warning("Could not install the fencing marker in the member; will retry", metadata: ["error": "\(error)"])
            }
        }
        let period = Duration.milliseconds(max(250, options.leaseDurationSeconds * 1000 / 4))
        await cancelWhenGracefulShutdown {
            var markerInstalled = member == nil
            while !Task.isCancelled {
                await renewOnce(installMarker: &markerInstalled)
                do { try await clock.sleep(for: period) } catch { break }
            }
        }
        logger.info("Agent stopped; the hub will see the Lease expire", metadata: ["datacenter": "\(options.datacenter)"])
    }

    private func renewOnce(installMarker: inout Bool) async {
        if let member {
            let health = await MemberProbe.probe(member, timeout: .seconds(2), wantVersion: false)
            guard health.succeeded else {
                logger.warning("Member API server is not answering; not renewing the Lease", metadata: ["datacenter": "\(options.datacenter)", "probe": "\(health)"])
                return
            }
            if !installMarker {
                installMarker = (try? await MemberFootprint.install(on: member, datacenter: options.datacenter, timeout: .seconds(2), clock: runtimeClock)) != nil
            }
        }
        do {
            try await renewLease()
        } catch {
            logger.warning("Could not renew the Lease; retrying", metadata: ["datacenter": "\(options.datacenter)", "error": "\(error)"])
            return
        }
        guard let member, installMarker else { return }
        do {
            try await syncMarker(member: member)
        } catch {
            logger.warning("Could not bring the fencing marker up to date; retrying", metadata: ["datacenter": "\(options.datacenter)", "error": "\(error)"])
        }
    }

    /// Creates the Datacenter (mode Pull) or brings its mode and region up to date.
    func register() async throws {
        let dcs = hub.resource(Datacenter.self)
        do {
            let existing = try await dcs.get(options.datacenter)
            if existing.spec.effectiveMode != .pull || existing.spec.region != options.region {
                let patch: JSONValue = ["spec": ["mode": .string(DatacenterMode.pull.rawValue), "region": .string(options.region)]]
                _ = try await dcs.patch(options.datacenter, type: .merge, patch: patch)
                logger.info("Updated Datacenter to Pull mode", metadata: ["datacenter": "\(options.datacenter)"])
            }
        } catch let error as KubeAPIError where error.isNotFound {
            let dc = Datacenter(
                metadata: ObjectMeta(name: options.datacenter),
                spec: DatacenterSpec(region: options.region, zone: options.zone, provider: options.provider, mode: .pull))
            _ = try await dcs.create(dc)
            logger.info("Registered Datacenter in Pull mode", metadata: ["datacenter": "\(options.datacenter)"])
        }
    }

    /// Renews (or creates) the Lease with optimistic concurrency.
    func renewLease() async throws {
        let leases = hub.resource(Lease.self)
        let name = Datacenter.leaseName(for: options.datacenter)
        let stamp = MicroTime(now())
        do {
            var lease = try await leases.get(name, namespace: Datacenter.leaseNamespace)
            var spec = lease.spec ?? LeaseSpec()
            if spec.holderIdentity != options.identity {
                spec.leaseTransitions = (spec.leaseTransitions ?? 0) + (spec.holderIdentity == nil ? 0 : 1)
                spec.acquireTime = stamp
                spec.holderIdentity = options.identity
            }
            spec.leaseDurationSeconds = options.leaseDurationSeconds
            spec.renewTime = stamp
            lease.spec = spec
            _ = try await leases.update(lease)
        } catch let error as KubeAPIError where error.isNotFound {
            let lease = Lease(
                metadata: ObjectMeta(name: name, namespace: Datacenter.leaseNamespace, labels: [FederationLabel.datacenter: options.datacenter]),
                spec: LeaseSpec(holderIdentity: options.identity, leaseDurationSeconds: options.leaseDurationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0))
            _ = try await leases.create(lease, namespace: Datacenter.leaseNamespace)
            logger.info("Created Lease", metadata: ["lease": "\(Datacenter.leaseNamespace)/\(name)"])
        }
    }
}
