import KubernetesAPI
import Testing

@testable import ControlPlane

struct PolicyRuleTests {
    private let user = UserInfo(name: "u", groups: ["system:authenticated"])

    private func resource(_ verb: String, _ group: String, _ resource: String, sub: String = "", name: String = "", ns: String = "shop") -> RequestAttributes {
        RequestAttributes(user: user, verb: verb, namespace: ns, apiGroup: group, resource: resource, subresource: sub, name: name)
    }

    @Test func groupsResourcesSubresourcesAndVerbsMatchAsInKubernetes() {
        let rule = PolicyRule(json: ["apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["get", "update"]])
        #expect(rule.allows(resource("get", "apps", "deployments")))
        #expect(rule.allows(resource("update", "apps", "deployments", sub: "scale")))
        #expect(!rule.allows(resource("get", "apps", "deployments", sub: "status")), "a subresource needs its own entry")
        #expect(!rule.allows(resource("delete", "apps", "deployments")))
        #expect(!rule.allows(resource("get", "", "deployments")), "the group must match")
        let anyScale = PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*/scale"])
        #expect(anyScale.allows(resource("patch", "apps", "statefulsets", sub: "scale")))
        #expect(!anyScale.allows(resource("patch", "apps", "statefulsets")))
        let star = PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])
        #expect(star.allows(resource("escalate", "rbac.authorization.k8s.io", "roles", sub: "anything")))
    }

    @Test func resourceNamesLimitToThoseNames() {
        let rule = PolicyRule(verbs: ["get", "update"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["settings"])
        #expect(rule.allows(resource("get", "", "configmaps", name: "settings")))
        #expect(!rule.allows(resource("get", "", "configmaps", name: "other")))
        #expect(!rule.allows(resource("list", "", "configmaps")), "a list has no name, so a named rule never allows it")
    }

    @Test func nonResourceURLsMatchExactlyOrByStarSuffix() {
        let rule = PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*"])
        #expect(rule.allows(RequestAttributes(user: user, verb: "get", nonResourcePath: "/healthz")))
        #expect(rule.allows(RequestAttributes(user: user, verb: "get", nonResourcePath: "/apis/apps/v1")))
        #expect(!rule.allows(RequestAttributes(user: user, verb: "get", nonResourcePath: "/healthz/etcd")))
        #expect(!rule.allows(RequestAttributes(user: user, verb: "post", nonResourcePath: "/healthz")))
        #expect(!rule.allows(resource("get", "", "healthz")), "a non-resource rule never allows a resource request")
    }

    @Test func coverageFindsExactlyTheMissingPermissions() {
        let owner = [
            PolicyRule(verbs: ["get", "list"], apiGroups: [""], resources: ["configmaps"]),
            PolicyRule(verbs: ["*"], apiGroups: ["apps"], resources: ["*/scale"]),
        ]
        let servant = [
            PolicyRule(verbs: ["get", "delete"], apiGroups: [""], resources: ["configmaps"]),
            PolicyRule(verbs: ["update"], apiGroups: ["apps"], resources: ["deployments/scale"]),
            PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"]),
        ]
        let missing = RuleCoverage.uncovered(owner: owner, servant: servant)
        #expect(missing.map(RuleCoverage.compactString) == [#"{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}"#])
        let named = [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["a"])]
        #expect(RuleCoverage.uncovered(owner: named, servant: [PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["secrets"])]).count == 1)
    }

    @Test func aggregationGathersMatchingRolesInNameOrderWithoutDuplicates() {
        func role(_ name: String, labels: [String: String], rules: [PolicyRule]) -> JSONValue {
            ["metadata": ["name": .string(name), "labels": .object(labels.mapValues(JSONValue.string))], "rules": .array(rules.map(\.json))]
        }
        let read = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"])
        let write = PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["pods"])
        let aggregated: JSONValue = [
            "metadata": ["name": "team", "labels": ["pick": "true"]],
            "aggregationRule": ["clusterRoleSelectors": [["matchLabels": ["pick": "true"]]]], "rules": [],
        ]
        let roles = [role("z-writer", labels: ["pick": "true"], rules: [write, read]), role("a-reader", labels: ["pick": "true"], rules: [read]),
            role("other", labels: [:], rules: [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])]), aggregated]
        #expect(ClusterRoleAggregation.rules(for: aggregated, among: roles) == [read, write])
        #expect(ClusterRoleAggregation.rules(for: roles[0], among: roles) == nil)
    }
}
