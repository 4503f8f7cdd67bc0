import FederationAPI
import FederationCore
import KubernetesAPI

/// The Datacenters a federation's manifests may refer to: those at the hub and those in the manifests.
struct DatacenterDirectory {
    /// Each known Datacenter's labels, by name.
    var labels: [String: [String: String]]
    /// Where the names came from, for messages (`the hub at https://…`).
    var origin: String
}

/// The checks the federation controllers make on a spec beyond its schema, run on manifests.
///
/// Today these are the Datacenter controller's (a Push Datacenter needs `spec.credentialsRef`) and,
/// when the Datacenters are known, every reference to a Datacenter by name: a FederationPolicy's
/// `spec.primary` (which must also match `spec.datacenterSelector`, as the policy controller requires)
/// and `spec.promotion.candidates`, a ServiceFailover's `spec.primary` and `spec.failover[].datacenter`,
/// a ReplicationRule's `spec.source`; the label selectors of a ReplicationRule and of a
/// ServiceFailover's placement (what kube-apiserver refuses in a selector: `In`/`NotIn` without
/// values, `Exists`/`DoesNotExist` with values); and what makes no sense in a ServiceFailover for its
/// mode (``FederationAPI/ServiceFailoverSpec/modeProblems``); and, when the FederationPolicy in force
/// has topology Mesh, a ReplicationRule whose strategy the ReplicationRule controller refuses there
/// (``FederationCore/MeshReplication/refusal(of:policy:)``).
enum FederationSemantics {
    /// The field problems of one object; `directory` enables the Datacenter reference checks, and
    /// `mesh` (the FederationPolicy in force, when its topology is Mesh) the check of a
    /// ReplicationRule's conflict resolution.
    static func problems(of object: JSONValue, directory: DatacenterDirectory?, mesh: FederationPolicy? = nil) -> [(field: String, message: String)] {
        var problems: [(field: String, message: String)] = []
        let spec = object["spec"] ?? .null
        var references: [(field: String, name: String)] = []
        switch object["kind"]?.stringValue {
        case Datacenter.kind:
            let mode = spec["mode"]?.stringValue ?? DatacenterSpec.defaultMode.rawValue
            if mode == DatacenterMode.push.rawValue, spec["credentialsRef"] == nil || spec["credentialsRef"]?.isNull == true {
                problems.append(("spec.credentialsRef", "Required value: required in Push mode: name a Secret holding a kubeconfig for the member"))
            }
        case FederationPolicy.kind:
            if let primary = spec["primary"]?.stringValue {
                references.append(("spec.primary", primary))
                if let directory, let labels = directory.labels[primary],
                    let selector = try? (spec["datacenterSelector"] ?? .object([:])).decode(LabelSelector.self),
                    !selector.matches(labels)
                {
                    problems.append((
                        "spec.primary",
                        "Invalid value: \"\(primary)\": not a member: the Datacenter's labels do not match spec.datacenterSelector"
                    ))
                }
            }
            for (i, candidate) in (spec.value(at: ["promotion", "candidates"])?.arrayValue ?? []).enumerated() {
                if let name = candidate.stringValue { references.append(("spec.promotion.candidates[\(i)]", name)) }
            }
        case ServiceFailover.kind:
            if let primary = spec["primary"]?.stringValue { references.append(("spec.primary", primary)) }
            if let decoded = try? spec.decode(ServiceFailoverSpec.self) {
                problems += decoded.selectorProblems.map { ($0.field, $0.detail) }
                problems += decoded.modeProblems.map { ($0.field, "Invalid value: \($0.message)") }
            }
            for (i, target) in (spec["failover"]?.arrayValue ?? []).enumerated() {
                if let name = target["datacenter"]?.stringValue { references.append(("spec.failover[\(i)].datacenter", name)) }
            }
        case ReplicationRule.kind:
            if let source = spec["source"]?.stringValue, source != ReplicationRuleSpec.primarySource {
                references.append(("spec.source", source))
            }
            if let decoded = try? spec.decode(ReplicationRuleSpec.self) { problems += decoded.selectorProblems.map { ($0.field, $0.detail) } }
            if let mesh, let rule = try? object.decode(ReplicationRule.self), let refusal = MeshReplication.refusal(of: rule, policy: mesh.metadata.name ?? "") {
                let value = "\"\(rule.spec.effectiveConflictResolution.rawValue)\"" + (rule.spec.conflictResolution == nil ? " (the default)" : "")
                problems.append(("spec.conflictResolution", "Invalid value: \(value): \(refusal.message)"))
            }
        default:
            break
        }
        if let directory {
            for reference in references where directory.labels[reference.name] == nil {
                problems.append((reference.field, "Not found: \"\(reference.name)\": no Datacenter of that name at \(directory.origin) or in these manifests"))
            }
        }
        return problems
    }

    /// The FederationPolicy whose topology is in force, when it is Mesh, found as the ReplicationRule
    /// controller finds it (``FederationCore/MeshReplication/policy(among:)``) among the hub's
    /// policies and those in `documents` (which replace the hub's of the same name, as applying them
    /// would). Nil when `documents` hold no ReplicationRule, which is all it is checked for.
    static func meshPolicy(in documents: [ManifestDocument], hub: [FederationPolicy]) -> FederationPolicy? {
        func isKind(_ document: ManifestDocument, _ kind: String) -> Bool {
            document.object["kind"]?.stringValue == kind && document.object["apiVersion"]?.stringValue == FederationGroup.apiVersion
        }
        guard documents.contains(where: { isKind($0, ReplicationRule.kind) }) else { return nil }
        var policies = Dictionary(hub.map { ($0.metadata.name ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        for document in documents where isKind(document, FederationPolicy.kind) {
            if let policy = try? document.object.decode(FederationPolicy.self), let name = policy.metadata.name { policies[name] = policy }
        }
        return MeshReplication.policy(among: Array(policies.values))
    }
}
