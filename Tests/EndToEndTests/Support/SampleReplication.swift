import ConcordTesting
import Foundation
import Testing

extension StartedFederation {
    /// A ReplicationRule `shop/global-config` copying ConfigMaps labelled `scope=global` from us-east.
    static let sampleRule = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: ReplicationRule
        metadata: {name: global-config, namespace: shop}
        spec:
          source: us-east
          resources:
          - {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {scope: global}}}
        """

    /// Creates namespace `shop` in us-east and at the hub, a ConfigMap `name` labelled `scope=global`
    /// in us-east with `literal` (`key=value`), applies `rule` at the hub and waits until both
    /// targets are Synced.
    func replicateSample(rule: String, configMap name: String, literal: String) async throws {
        guard let east = members["us-east"] else { throw E2EError("no member us-east") }
        for args in [["create", "namespace", "shop"], ["-n", "shop", "create", "configmap", name, "--from-literal=\(literal)"], ["-n", "shop", "label", "configmap", name, "scope=global"]] {
            let r = try await east.run(args)
            guard r.succeeded else { throw E2EError("kubectl \(args.joined(separator: " ")) in us-east: \(r.stderr)") }
        }
        guard try await hub("create", "namespace", "shop").succeeded else { throw E2EError("cannot create namespace shop at the hub") }
        let applied = try await hub("apply", "-f", "-", stdin: rule)
        guard applied.succeeded else { throw E2EError("cannot apply the rule: \(applied.stderr)") }
        let synced = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            try await hub("get", "rr", "-n", "shop", "-o", "jsonpath={.items[0].status.targets[*].state}").stdout == "Synced Synced"
        }
        guard synced else { throw E2EError("the rule did not sync both targets:\n\(try await hub("get", "rr", "-n", "shop", "-o", "yaml").stdout)") }
    }
}
