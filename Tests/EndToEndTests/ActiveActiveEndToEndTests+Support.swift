import ConcordTesting
import Foundation

extension ActiveActiveEndToEndTests {
    static let workload = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: example/web:1}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80, targetPort: 8080}]
        """
    /// 12 replicas over the datacenters labelled `tier=web`, us-east weighing 2, a 15 s window.
    static let serviceFailover = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: federation.concord.dev/v1alpha1
        kind: ServiceFailover
        metadata: {name: web, namespace: shop}
        spec:
          service: web
          primary: us-east
          mode: ActiveActive
          replicas: 12
          placement:
            datacenterSelector: {matchLabels: {tier: web}}
            weights:
            - {datacenter: us-east, weight: 2}
            - {datacenter: us-west, weight: 1}
            - {datacenter: eu-central, weight: 1}
          policy: {failback: Automatic, stabilizationSeconds: \(window)}
        """
    /// `stabilizationSeconds` of the ServiceFailover.
    static let window = 15

    /// One member's Deployment web: `spec.replicas` and ready replicas (nil when absent).
    struct Copy: Equatable, CustomStringConvertible {
        var desired: Int
        var ready: Int
        var description: String { "\(desired)/\(ready)" }
    }

    /// Deployment web in a member, or nil when the member has none (or does not answer).
    static func copy(_ member: Kubectl) async throws -> Copy? {
        let result = try await member(
            "get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.replicas} {.status.readyReplicas}", timeout: .seconds(10))
        guard result.succeeded else { return nil }
        let fields = result.stdout.split(separator: " ").map { Int($0) ?? 0 }
        return Copy(desired: fields.first ?? 0, ready: fields.count > 1 ? fields[1] : 0)
    }

    /// `spec.replicas` of web in each named member, such as `eu-central=3,us-east=6,us-west=3`
    /// (members without a copy left out, unreachable ones shown as `?`).
    static func placement(_ members: [String: Kubectl], _ names: [String]) async throws -> String {
        var parts: [String] = []
        for name in names.sorted() {
            guard let member = members[name] else { continue }
            let result = try await member("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.replicas}", timeout: .seconds(10))
            if result.succeeded { parts.append("\(name)=\(result.stdout)") } else if !result.stderr.contains("NotFound") { parts.append("\(name)=?") }
        }
        return parts.joined(separator: ",")
    }

    /// `source-datacenter:endpoint-count` of each global EndpointSlice of web in a member, sorted.
    static func routes(_ member: Kubectl) async throws -> String { try await FailoverEndToEndTests.routes(member, service: "web") }

    /// The zones each endpoint of a member's global slices is hinted for, by source datacenter,
    /// such as `us-east>us-east us-west>us-west`.
    static func hints(_ member: Kubectl) async throws -> String {
        let result = try await member(
            "get", "endpointslices", "-n", "shop", "-l", "kubernetes.io/service-name=web-global", "-o",
            #"jsonpath={range .items[*]}{.metadata.labels.federation\.concord\.dev/source-datacenter}>{.endpoints[0].hints.forZones[*].name}{"\n"}{end}"#,
            timeout: .seconds(10))
        return result.stdout.split(separator: "\n").sorted().joined(separator: " ")
    }

    /// A date from an RFC 3339 timestamp the API server wrote.
    static func date(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text.trimmingCharacters(in: .whitespacesAndNewlines)) }
}
