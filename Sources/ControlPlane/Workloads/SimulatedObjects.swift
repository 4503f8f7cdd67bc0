import Foundation
import KubernetesAPI

/// The states the workload simulator writes, as pure functions of the objects and the time.
enum SimulatedObjects {
    /// `spec.replicas`, defaulting to 1 as the Deployment API does.
    static func replicas(of deployment: JSONValue) -> Int64 {
        deployment.value(at: ["spec", "replicas"])?.intValue ?? 1
    }

    /// The status of a Deployment whose every replica became ready: counts, `observedGeneration`, and
    /// `Available` / `Progressing` conditions (transition times kept while the status stays the same).
    static func deploymentStatus(for deployment: JSONValue, now: Date) -> JSONValue {
        let replicas = replicas(of: deployment)
        let name = deployment.value(at: ["metadata", "name"])?.stringValue ?? ""
        let previous = deployment.value(at: ["status", "conditions"])?.arrayValue ?? []
        let time = JSONValue.string(KubeTime(now).description)
        func condition(_ type: String, reason: String, message: String) -> JSONValue {
            let old = previous.first { $0["type"]?.stringValue == type }
            let transition = old?["status"]?.stringValue == "True" ? (old?["lastTransitionTime"] ?? time) : time
            return [
                "type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message),
                "lastUpdateTime": time, "lastTransitionTime": transition,
            ]
        }
        var status: [String: JSONValue] = [
            "observedGeneration": .int(deployment.value(at: ["metadata", "generation"])?.intValue ?? 1),
            "replicas": .int(replicas), "updatedReplicas": .int(replicas),
            "readyReplicas": .int(replicas), "availableReplicas": .int(replicas),
            "conditions": [
                condition("Available", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability."),
                condition("Progressing", reason: "NewReplicaSetAvailable", message: "ReplicaSet \"\(name)\" has successfully progressed."),
            ],
        ]
        if replicas == 0 {
            for key in ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"] { status[key] = nil }
        }
        return .object(status)
    }

    /// True when the Deployment's status already reflects its current spec (nothing to simulate).
    static func deploymentIsCurrent(_ deployment: JSONValue) -> Bool {
        let status = deployment["status"] ?? [:]
        let generation = deployment.value(at: ["metadata", "generation"])?.intValue ?? 1
        let ready = status["readyReplicas"]?.intValue ?? 0
        let available = (status["conditions"]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Available" && $0["status"]?.stringValue == "True"
        }
        return status["observedGeneration"]?.intValue == generation && ready == replicas(of: deployment) && available
            && deployment.value(at: ["metadata", "labels", WorkloadSimulation.simulatedLabel])?.stringValue == "true"
    }

    /// True when `selector` (a Service's `spec.selector`) is non-empty and every pair is in `labels`.
    static func selects(_ selector: [String: JSONValue], labels: [String: JSONValue]) -> Bool {
        !selector.isEmpty && selector.allSatisfy { labels[$0.key] == $0.value }
    }

    /// A synthetic pod address for replica `index` of a Deployment: 10.`network`.x.y, stable per Deployment.
    static func address(namespace: String, deployment: String, index: Int, network: UInt8 = WorkloadSimulation.defaultPodNetwork) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in "\(namespace)/\(deployment)".utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let n = Int(hash % 200) * 256 + index + 1
        return "10.\(network).\(n / 256 % 256).\(n % 256 == 0 ? 1 : n % 256)"
    }

    /// The name of the simulated EndpointSlice of a Service.
    static func sliceName(service: String) -> String { "\(service)-simulated" }

    /// The EndpointSlice a Service gets: one ready endpoint per ready replica of the Deployments its selector
    /// matches, ports from the Service (the target port when it is a number), owned by the Service.
    static func endpointSlice(for service: JSONValue, deployments: [JSONValue], network: UInt8) -> JSONValue {
        let name = service.value(at: ["metadata", "name"])?.stringValue ?? ""
        let namespace = service.value(at: ["metadata", "namespace"])?.stringValue ?? ""
        let selector = service.value(at: ["spec", "selector"])?.objectValue ?? [:]
        var endpoints: [JSONValue] = []
        for deployment in deployments.sorted(by: { ($0.value(at: ["metadata", "name"])?.stringValue ?? "") < ($1.value(at: ["metadata", "name"])?.stringValue ?? "") }) {
            let labels = deployment.value(at: ["spec", "template", "metadata", "labels"])?.objectValue ?? [:]
            guard selects(selector, labels: labels), deployment.value(at: ["metadata", "deletionTimestamp"]) == nil else { continue }
            let deploymentName = deployment.value(at: ["metadata", "name"])?.stringValue ?? ""
            let ready = Int(deployment.value(at: ["status", "readyReplicas"])?.intValue ?? 0)
            for index in 0..<max(ready, 0) {
                endpoints.append([
                    "addresses": [.string(address(namespace: namespace, deployment: deploymentName, index: index, network: network))],
                    "conditions": ["ready": true, "serving": true, "terminating": false],
                ])
            }
        }
        let ports: [JSONValue] = (service.value(at: ["spec", "ports"])?.arrayValue ?? []).map { port in
            var p: [String: JSONValue] = ["protocol": port["protocol"] ?? "TCP"]
            p["name"] = port["name"] ?? ""
            p["port"] = port["targetPort"]?.intValue.map(JSONValue.int) ?? port["port"] ?? .null
            return .object(p)
        }
        return [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": [
                "name": .string(sliceName(service: name)), "namespace": .string(namespace),
                "labels": [
                    "kubernetes.io/service-name": .string(name),
                    "endpointslice.kubernetes.io/managed-by": .string(WorkloadSimulation.managedBy),
                    WorkloadSimulation.simulatedLabel: "true",
                ],
                "ownerReferences": [[
                    "apiVersion": "v1", "kind": "Service", "name": .string(name),
                    "uid": service.value(at: ["metadata", "uid"]) ?? "", "controller": true, "blockOwnerDeletion": true,
                ]],
            ],
            "addressType": "IPv4", "endpoints": .array(endpoints), "ports": .array(ports),
        ]
    }
}
