import KubernetesAPI

extension LeaderElectionConfiguration {
    /// The Lease that elects the one server running the garbage collector among servers sharing etcd:
    /// `kube-system/concord-garbage-collector`, client-go's timings (15 s / 10 s / 2 s), handed back on
    /// graceful shutdown (the collector stops before the lease is released).
    public static func garbageCollector(identity: String = defaultIdentity()) -> LeaderElectionConfiguration {
        LeaderElectionConfiguration(namespace: "kube-system", name: "concord-garbage-collector", identity: identity, releaseOnCancel: true)
    }
}
