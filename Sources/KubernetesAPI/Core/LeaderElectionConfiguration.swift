import Foundation

/// Settings of Lease-based leader election, with client-go's defaults and validation.
///
/// - `leaseDuration` (15 s): how long followers wait, after they last saw the Lease change,
///   before taking it over. Measured on each follower's own monotonic clock, never by comparing
///   the holder's timestamps with local time, so clock skew between machines does not matter.
/// - `renewDeadline` (10 s): how long the leader keeps retrying a renewal before giving up.
/// - `retryPeriod` (2 s): the pause between attempts (jittered ×[1, 2.2) while following).
public struct LeaderElectionConfiguration: Sendable, Hashable {
    /// The Lease's namespace.
    public var namespace: String
    /// The Lease's name (controller-runtime's `LeaderElectionID`).
    public var name: String
    /// This process's identity, written into `holderIdentity`.
    public var identity: String
    /// How long a lease is valid after it was last seen to change.
    public var leaseDuration: Duration
    /// How long the leader retries renewing before it gives up leadership.
    public var renewDeadline: Duration
    /// The pause between attempts.
    public var retryPeriod: Duration
    /// On graceful shutdown, hand the lease back (`holderIdentity` emptied, 1 s duration) so a
    /// follower takes over at once. Safe only because controllers stop before the campaign does.
    public var releaseOnCancel: Bool

    /// client-go's jitter factor for the acquire loop and the validation bound.
    public static let jitterFactor = 1.2

    /// Creates a configuration with client-go's default timings (15 s / 10 s / 2 s).
    public init(
        namespace: String, name: String, identity: String = LeaderElectionConfiguration.defaultIdentity(),
        leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2),
        releaseOnCancel: Bool = false
    ) {
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    /// `namespace/name` of the Lease.
    public var leaseKey: String { "\(namespace)/\(name)" }

    /// Per-request bound: max(renewDeadline / 2, 1 s), as controller-runtime sets its REST timeout.
    public var requestTimeout: Duration { max(renewDeadline / 2, .seconds(1)) }

    /// Checks the timings as client-go does: every duration positive,
    /// leaseDuration > renewDeadline > 1.2 × retryPeriod, and a non-empty identity and lease name.
    public func validate() throws {
        func fail(_ m: String) -> LeaderElectionConfigurationError { LeaderElectionConfigurationError(message: m) }
        guard leaseDuration > .zero else { throw fail("the lease duration must be greater than zero") }
        guard renewDeadline > .zero else { throw fail("the renew deadline must be greater than zero") }
        guard retryPeriod > .zero else { throw fail("the retry period must be greater than zero") }
        guard leaseDuration > renewDeadline else {
            throw fail("the lease duration (\(leaseDuration)) must be greater than the renew deadline (\(renewDeadline))")
        }
        guard renewDeadline > retryPeriod * Self.jitterFactor else {
            throw fail("the renew deadline (\(renewDeadline)) must be greater than retry period × \(Self.jitterFactor) (\(retryPeriod * Self.jitterFactor))")
        }
        guard !identity.isEmpty else { throw fail("the leader election identity must not be empty") }
        guard !name.isEmpty else { throw fail("the leader election lease name must not be empty") }
        guard !namespace.isEmpty else { throw fail("the leader election namespace must not be empty") }
    }

    /// `hostname_UUID`, as controller-runtime builds it: unique per process, readable in `kubectl get lease`.
    public static func defaultIdentity() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : "localhost"
        return "\(host.isEmpty ? "localhost" : host)_\(UUID().uuidString.lowercased())"
    }

    /// The namespace of the pod's service account, when running in a cluster.
    public static func inClusterNamespace(serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount") -> String? {
        let path = URL(fileURLWithPath: serviceAccountDirectory).appendingPathComponent("namespace").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let ns = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return ns.isEmpty ? nil : ns
    }
}

/// A leader election setting is invalid; the message says which and why.
public struct LeaderElectionConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}
