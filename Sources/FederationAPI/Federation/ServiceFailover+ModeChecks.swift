import KubernetesAPI

extension ServiceFailoverSpec {
    /// What makes no sense in the spec for its mode, seen without the Datacenters: one field and the
    /// controller's message each (`InvalidSpec`), shared by the controller and `concord validate`.
    ///
    /// - ActivePassive: `replicas` and `placement` belong to ActiveActive; `failover` needs a datacenter, not the primary.
    /// - ActiveActive: `replicas` is required; `failover` is not used; `minDatacenters` no more than
    ///   `replicas` (unless it is 0: a stopped service).
    public var modeProblems: [(field: String, message: String)] {
        var problems: [(field: String, message: String)] = []
        switch effectiveMode {
        case .activePassive:
            if replicas != nil {
                problems.append(("spec.replicas", "spec.replicas is used only with mode ActiveActive (the total to divide); remove it, or set mode: ActiveActive."))
            }
            if placement != nil {
                problems.append(("spec.placement", "spec.placement is used only with mode ActiveActive; remove it, or set mode: ActiveActive."))
            }
            if failover.isEmpty { problems.append(("spec.failover", "spec.failover is empty; name at least one datacenter to fail over to.")) }
            for (index, target) in failover.enumerated() where target.datacenter == primary {
                problems.append(("spec.failover[\(index)].datacenter", "spec.failover[\(index)].datacenter is the primary \(primary); list other datacenters."))
            }
        case .activeActive:
            if replicas == nil { problems.append(("spec.replicas", "spec.replicas is required with mode ActiveActive: the total to divide over the datacenters.")) }
            if !failover.isEmpty { problems.append(("spec.failover", "spec.failover is not used with mode ActiveActive; remove it, or use mode ActivePassive.")) }
            if let replicas, let minimum = placement?.minDatacenters, replicas > 0, minimum > replicas {
                problems.append((
                    "spec.placement.minDatacenters",
                    "spec.placement.minDatacenters is \(minimum), more than spec.replicas (\(replicas)): each datacenter needs a replica; lower minDatacenters or raise replicas."))
            }
        }
        return problems
    }

    /// What kube-apiserver would refuse in `placement.datacenterSelector`; empty when it is valid.
    public var selectorProblems: [LabelSelector.Problem] {
        placement?.datacenterSelector?.problems(at: "spec.placement.datacenterSelector") ?? []
    }
}
