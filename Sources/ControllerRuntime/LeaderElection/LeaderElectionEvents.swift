import Foundation
import KubernetesAPI

/// Records client-go's leader election events on the Lease: Normal, reason `LeaderElection`,
/// "<identity> became leader" and "<identity> stopped leading".
public struct LeaderElectionEvents: LeaderElectionObserver {
    /// Where events go.
    public let recorder: EventRecorder

    /// Creates the observer.
    public init(recorder: EventRecorder) { self.recorder = recorder }

    /// Records the change as an event regarding the Lease.
    public func leadershipChanged(name: String, identity: String, leading: Bool, lease: Lease?) {
        let regarding = lease.map { ObjectReference(to: $0) } ?? ObjectReference(apiVersion: Lease.apiVersion, kind: Lease.kind, name: name)
        recorder.event(regarding: regarding, type: Event.normal, reason: "LeaderElection", action: "LeaderElection",
                       note: "\(identity) \(leading ? "became leader" : "stopped leading")")
    }
}

/// Forwards leadership changes to several observers (metrics and events).
public struct LeaderElectionObservers: LeaderElectionObserver {
    /// The observers, in order.
    public let observers: [any LeaderElectionObserver]

    /// Creates the fan-out.
    public init(_ observers: [any LeaderElectionObserver]) { self.observers = observers }

    /// Tells every observer.
    public func leadershipChanged(name: String, identity: String, leading: Bool, lease: Lease?) {
        for o in observers { o.leadershipChanged(name: name, identity: identity, leading: leading, lease: lease) }
    }
}
