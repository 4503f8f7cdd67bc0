import FederationAPI

/// Valid objects of the four federation kinds, with every field set (spec and status), for the mutation test.
enum FederationSamples {
    struct Kind: Sendable {
        var name: String
        var collection: String
        var object: JSONValue
    }

    static let time: JSONValue = "2026-01-02T03:04:05Z"

    static func conditions(_ type: String) -> JSONValue {
        [[
            "type": .string(type), "status": "True", "observedGeneration": 1, "lastTransitionTime": time,
            "reason": "Healthy", "message": "All good.",
        ]]
    }

    static let selector: JSONValue = [
        "matchLabels": ["geo": "us"], "matchExpressions": [["key": "tier", "operator": "In", "values": ["gold"]]],
    ]

    static let datacenter: JSONValue = [
        "apiVersion": "federation.concord.dev/v1alpha1", "kind": "Datacenter", "metadata": ["name": "us-east", "labels": ["geo": "us"]],
        "spec": [
            "region": "us-east-1", "zone": "us-east-1a", "provider": "aws", "mode": "Push",
            "credentialsRef": ["namespace": "concord-system", "name": "us-east-kubeconfig", "key": "kubeconfig"],
            "priority": 100, "capacity": ["replicas": 200], "unschedulable": false,
            "healthCheck": ["periodSeconds": 1, "timeoutSeconds": 1, "failureThreshold": 3, "successThreshold": 2],
        ],
        "status": [
            "observedGeneration": 1, "phase": "Ready", "role": "Primary", "serverVersion": "v1.32.0", "latencyMilliseconds": 3,
            "consecutiveFailures": 0, "consecutiveSuccesses": 2, "lastProbeTime": time, "unhealthySince": time,
            "conditions": conditions("Ready"),
        ],
    ]

    static let federationPolicy: JSONValue = [
        "apiVersion": "federation.concord.dev/v1alpha1", "kind": "FederationPolicy", "metadata": ["name": "global"],
        "spec": [
            "datacenterSelector": selector, "topology": "HubAndSpoke", "primary": "us-east",
            "promotion": ["mode": "Automatic", "unreachableForSeconds": 30, "candidates": ["us-west"], "requireQuorum": true],
            "failback": "Manual", "stabilizationSeconds": 120,
        ],
        "status": [
            "observedGeneration": 1, "primary": "us-east", "epoch": 4, "readyMembers": 2,
            "members": [["name": "us-east", "role": "Primary", "phase": "Ready", "epoch": 4]],
            "lastPromotion": ["from": "us-west", "to": "us-east", "epoch": 4, "reason": "Planned", "time": time],
            "history": [["from": "us-west", "to": "us-east", "epoch": 4, "reason": "Planned", "time": time]],
            "conditions": conditions("Ready"),
        ],
    ]

    static let serviceFailover: JSONValue = [
        "apiVersion": "federation.concord.dev/v1alpha1", "kind": "ServiceFailover",
        "metadata": ["name": "payment-api", "namespace": "default"],
        "spec": [
            "service": "payment-api", "workload": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "payment-api"],
            "primary": "us-east", "failover": [["datacenter": "us-west", "replicas": 3]],
            "policy": ["mode": "Automatic", "unhealthyForSeconds": 10, "minReadyReplicas": 1, "failback": "Manual", "stabilizationSeconds": 120],
            "migration": ["readinessTimeoutSeconds": 300],
        ],
        "status": [
            "observedGeneration": 1, "phase": "Active", "activeDatacenter": "us-east",
            "datacenters": [["name": "us-east", "role": "Primary", "desiredReplicas": 3, "readyReplicas": 3, "reachable": true, "endpoints": ["10.0.0.1:80"]]],
            "lastTransition": ["from": "us-west", "to": "us-east", "reason": "Failback", "startedAt": time, "completedAt": time, "durationSeconds": 1.5],
            "history": [["from": "us-west", "to": "us-east", "reason": "Failback", "startedAt": time, "completedAt": time, "durationSeconds": 2]],
            "conditions": conditions("Ready"),
        ],
    ]

    static let replicationRule: JSONValue = [
        "apiVersion": "federation.concord.dev/v1alpha1", "kind": "ReplicationRule",
        "metadata": ["name": "config", "namespace": "default"],
        "spec": [
            "resources": [["apiVersion": "v1", "kind": "ConfigMap", "selector": selector, "namePrefix": "app-"]],
            "source": "Primary", "targets": ["datacenterSelector": selector], "mode": "Continuous", "intervalSeconds": 30,
            "fullResyncSeconds": 1800, "conflictResolution": "SourceWins", "deletion": "Propagate",
            "residency": ["allowedRegions": ["us-east-1"]],
        ],
        "status": [
            "observedGeneration": 1, "sourceDatacenter": "us-east", "sourceEpoch": 4, "sourceRevision": "42", "objects": 3,
            "targets": [[
                "datacenter": "us-west", "state": "Synced", "syncedRevision": "42", "lastSyncTime": time, "lagSeconds": 0.5,
                "objectsInSync": 3, "conflicts": 0, "message": "ok",
            ]],
            "conflicts": [[
                "datacenter": "us-west", "apiVersion": "v1", "kind": "ConfigMap", "name": "app-x", "detectedAt": time,
                "resolution": "SourceWins", "message": "changed at both",
            ]],
            "conditions": conditions("Ready"),
        ],
    ]

    static let kinds: [Kind] = [
        Kind(name: "Datacenter", collection: "/apis/federation.concord.dev/v1alpha1/datacenters", object: datacenter),
        Kind(name: "FederationPolicy", collection: "/apis/federation.concord.dev/v1alpha1/federationpolicies", object: federationPolicy),
        Kind(
            name: "ServiceFailover", collection: "/apis/federation.concord.dev/v1alpha1/namespaces/default/servicefailovers",
            object: serviceFailover),
        Kind(
            name: "ReplicationRule", collection: "/apis/federation.concord.dev/v1alpha1/namespaces/default/replicationrules",
            object: replicationRule),
    ]
}
