/// Whether one set of rules grants everything another does, as kube-apiserver decides it before letting
/// a user create a role or a binding.
enum RuleCoverage {
    /// The parts of `servant` that no rule of `owner` covers, one verb, group, resource and name at a time,
    /// with rules that differ only in verbs put back together.
    static func uncovered(owner: [PolicyRule], servant: [PolicyRule]) -> [PolicyRule] {
        var missing: [PolicyRule] = []
        for rule in servant {
            for atom in atoms(of: rule) where !owner.contains(where: { covers($0, atom) }) {
                if let i = missing.firstIndex(where: { $0.sameTarget(as: atom) }) {
                    if !missing[i].verbs.contains(atom.verbs[0]) { missing[i].verbs.append(atom.verbs[0]) }
                } else {
                    missing.append(atom)
                }
            }
        }
        return missing
    }

    /// A rule broken into single-verb, single-group, single-resource, single-name (or single-URL) rules.
    static func atoms(of rule: PolicyRule) -> [PolicyRule] {
        var atoms: [PolicyRule] = []
        for verb in rule.verbs {
            for url in rule.nonResourceURLs { atoms.append(PolicyRule(verbs: [verb], nonResourceURLs: [url])) }
            for group in rule.apiGroups {
                for resource in rule.resources {
                    if rule.resourceNames.isEmpty {
                        atoms.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource]))
                    } else {
                        for name in rule.resourceNames {
                            atoms.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name]))
                        }
                    }
                }
            }
        }
        return atoms
    }

    /// Whether `owner` grants everything `servant` does.
    static func covers(_ owner: PolicyRule, _ servant: PolicyRule) -> Bool {
        guard owner.verbs.contains("*") || servant.verbs.allSatisfy(owner.verbs.contains) else { return false }
        if !servant.nonResourceURLs.isEmpty {
            return servant.nonResourceURLs.allSatisfy { url in
                owner.nonResourceURLs.contains { $0 == "*" || $0 == url || ($0.hasSuffix("*") && url.hasPrefix(String($0.dropLast()))) }
            }
        }
        guard owner.apiGroups.contains("*") || servant.apiGroups.allSatisfy(owner.apiGroups.contains) else { return false }
        let resources = owner.resources.contains("*") || servant.resources.allSatisfy { resource in
            if owner.resources.contains(resource) { return true }
            guard let slash = resource.firstIndex(of: "/") else { return false }
            return owner.resources.contains("*" + resource[slash...])
        }
        guard resources else { return false }
        if owner.resourceNames.isEmpty { return true }
        return !servant.resourceNames.isEmpty && servant.resourceNames.allSatisfy(owner.resourceNames.contains)
    }

    /// kube-apiserver's compact form of a rule: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}`.
    static func compactString(_ rule: PolicyRule) -> String {
        func quoted(_ list: [String]) -> String { "[" + list.map { "\"\($0)\"" }.joined(separator: " ") + "]" }
        var parts: [String] = []
        if !rule.apiGroups.isEmpty { parts.append("APIGroups:\(quoted(rule.apiGroups))") }
        if !rule.resources.isEmpty { parts.append("Resources:\(quoted(rule.resources))") }
        if !rule.resourceNames.isEmpty { parts.append("ResourceNames:\(quoted(rule.resourceNames))") }
        if !rule.nonResourceURLs.isEmpty { parts.append("NonResourceURLs:\(quoted(rule.nonResourceURLs))") }
        parts.append("Verbs:\(quoted(rule.verbs))")
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

extension PolicyRule {
    /// Same groups, resources, names and URLs (verbs may differ).
    func sameTarget(as other: PolicyRule) -> Bool {
        apiGroups == other.apiGroups && resources == other.resources && resourceNames == other.resourceNames && nonResourceURLs == other.nonResourceURLs
    }
}
