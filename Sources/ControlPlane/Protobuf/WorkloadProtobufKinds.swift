import KubernetesAPI

/// The protobuf bodies kubectl 1.32+ sends for `kubectl create deployment` (apps/v1 Deployment) and
/// `kubectl create service clusterip|nodeport|loadbalancer|externalname` (core/v1 Service).
///
/// The pod template decodes what those commands and hand-written clients commonly set: containers
/// and init containers (image, command, args, ports, env values, resources, volume mounts), node
/// selectors, tolerations, service accounts and the scheduling scalars. Probes, volumes, affinity,
/// security contexts and the like are named but not decoded: a body that sets one is refused with
/// a message naming the field (JSON and YAML bodies carry everything). `status` is read past, as
/// a create ignores it.
enum WorkloadProtobufKinds {
    /// Decodes the raw object of `kind` in `apiVersion`, or nil when it is not one of these.
    static func decode(apiVersion: String, kind: String, _ bytes: ArraySlice<UInt8>) throws -> [String: JSONValue]? {
        try schemas["\(apiVersion)/\(kind)"]?.decode(bytes)
    }

    /// The message of each kind `decode` understands, by `apiVersion/kind`.
    static let schemas: [String: ProtobufSchema] = ["apps/v1/Deployment": deployment, "v1/Service": service]

    typealias Field = ProtobufSchema.Field

    static let deployment = ProtobufSchema(name: "Deployment", fields: [
        1: Field(name: "metadata", type: .objectMeta),
        2: Field(name: "spec", type: .message(ProtobufSchema(name: "DeploymentSpec", fields: [
            1: Field(name: "replicas", type: .int, present: true),
            2: Field(name: "selector", type: .message(labelSelector), present: true),
            3: Field(name: "template", type: .message(podTemplate)),
            4: Field(name: "strategy", type: .message(ProtobufSchema(name: "DeploymentStrategy", fields: [
                1: Field(name: "type", type: .string),
                2: Field(name: "rollingUpdate", type: .message(ProtobufSchema(name: "RollingUpdateDeployment", fields: [
                    1: Field(name: "maxUnavailable", type: .intOrString, present: true),
                    2: Field(name: "maxSurge", type: .intOrString, present: true),
                ])), present: true),
            ]))),
            5: Field(name: "minReadySeconds", type: .int),
            6: Field(name: "revisionHistoryLimit", type: .int, present: true),
            7: Field(name: "paused", type: .bool),
            9: Field(name: "progressDeadlineSeconds", type: .int, present: true),
        ]))),
        3: Field(name: "status", type: .ignored),
    ])

    static let service = ProtobufSchema(name: "Service", fields: [
        1: Field(name: "metadata", type: .objectMeta),
        2: Field(name: "spec", type: .message(ProtobufSchema(name: "ServiceSpec", fields: [
            1: Field(name: "ports", type: .message(ProtobufSchema(name: "ServicePort", fields: [
                1: Field(name: "name", type: .string),
                2: Field(name: "protocol", type: .string),
                3: Field(name: "port", type: .int),
                4: Field(name: "targetPort", type: .intOrString),
                5: Field(name: "nodePort", type: .int),
                6: Field(name: "appProtocol", type: .string, present: true),
            ])), repeated: true),
            2: Field(name: "selector", type: .stringMap),
            3: Field(name: "clusterIP", type: .string),
            4: Field(name: "type", type: .string),
            5: Field(name: "externalIPs", type: .string, repeated: true),
            7: Field(name: "sessionAffinity", type: .string),
            8: Field(name: "loadBalancerIP", type: .string),
            9: Field(name: "loadBalancerSourceRanges", type: .string, repeated: true),
            10: Field(name: "externalName", type: .string),
            11: Field(name: "externalTrafficPolicy", type: .string),
            12: Field(name: "healthCheckNodePort", type: .int),
            13: Field(name: "publishNotReadyAddresses", type: .bool),
            14: Field(name: "sessionAffinityConfig", type: .message(ProtobufSchema(name: "SessionAffinityConfig", fields: [
                1: Field(name: "clientIP", type: .message(ProtobufSchema(name: "ClientIPConfig", fields: [
                    1: Field(name: "timeoutSeconds", type: .int, present: true),
                ])), present: true),
            ])), present: true),
            17: Field(name: "ipFamilyPolicy", type: .string, present: true),
            18: Field(name: "clusterIPs", type: .string, repeated: true),
            19: Field(name: "ipFamilies", type: .string, repeated: true),
            20: Field(name: "allocateLoadBalancerNodePorts", type: .bool, present: true),
            21: Field(name: "loadBalancerClass", type: .string, present: true),
            22: Field(name: "internalTrafficPolicy", type: .string, present: true),
            23: Field(name: "trafficDistribution", type: .string, present: true),
        ]))),
        3: Field(name: "status", type: .ignored),
    ])

    /// `LabelSelector`: matchLabels 1, matchExpressions 2 {key 1, operator 2, values 3}.
    static let labelSelector = ProtobufSchema(name: "LabelSelector", fields: [
        1: Field(name: "matchLabels", type: .stringMap),
        2: Field(name: "matchExpressions", type: .message(ProtobufSchema(name: "LabelSelectorRequirement", fields: [
            1: Field(name: "key", type: .string),
            2: Field(name: "operator", type: .string),
            3: Field(name: "values", type: .string, repeated: true),
        ])), repeated: true),
    ])

    static let podTemplate = ProtobufSchema(name: "PodTemplateSpec", fields: [
        1: Field(name: "metadata", type: .objectMeta),
        2: Field(name: "spec", type: .message(podSpec)),
    ])

    static let podSpec = ProtobufSchema(name: "PodSpec", fields: [
        1: Field(name: "volumes", type: .unsupported),
        2: Field(name: "containers", type: .message(container), repeated: true),
        3: Field(name: "restartPolicy", type: .string),
        4: Field(name: "terminationGracePeriodSeconds", type: .int, present: true),
        5: Field(name: "activeDeadlineSeconds", type: .int, present: true),
        6: Field(name: "dnsPolicy", type: .string),
        7: Field(name: "nodeSelector", type: .stringMap),
        8: Field(name: "serviceAccountName", type: .string),
        9: Field(name: "serviceAccount", type: .string),
        10: Field(name: "nodeName", type: .string),
        11: Field(name: "hostNetwork", type: .bool),
        12: Field(name: "hostPID", type: .bool),
        13: Field(name: "hostIPC", type: .bool),
        14: Field(name: "securityContext", type: .unsupported),
        15: Field(name: "imagePullSecrets", type: .message(ProtobufSchema(name: "LocalObjectReference", fields: [
            1: Field(name: "name", type: .string),
        ])), repeated: true),
        16: Field(name: "hostname", type: .string),
        17: Field(name: "subdomain", type: .string),
        18: Field(name: "affinity", type: .unsupported),
        19: Field(name: "schedulerName", type: .string),
        20: Field(name: "initContainers", type: .message(container), repeated: true),
        21: Field(name: "automountServiceAccountToken", type: .bool, present: true),
        22: Field(name: "tolerations", type: .message(ProtobufSchema(name: "Toleration", fields: [
            1: Field(name: "key", type: .string),
            2: Field(name: "operator", type: .string),
            3: Field(name: "value", type: .string),
            4: Field(name: "effect", type: .string),
            5: Field(name: "tolerationSeconds", type: .int, present: true),
        ])), repeated: true),
        23: Field(name: "hostAliases", type: .unsupported),
        24: Field(name: "priorityClassName", type: .string),
        25: Field(name: "priority", type: .int, present: true),
        26: Field(name: "dnsConfig", type: .unsupported),
        27: Field(name: "shareProcessNamespace", type: .bool, present: true),
        28: Field(name: "readinessGates", type: .unsupported),
        29: Field(name: "runtimeClassName", type: .string, present: true),
        30: Field(name: "enableServiceLinks", type: .bool, present: true),
        31: Field(name: "preemptionPolicy", type: .string, present: true),
        32: Field(name: "overhead", type: .unsupported),
        33: Field(name: "topologySpreadConstraints", type: .unsupported),
        34: Field(name: "ephemeralContainers", type: .unsupported),
        35: Field(name: "setHostnameAsFQDN", type: .bool, present: true),
        36: Field(name: "os", type: .unsupported),
        37: Field(name: "hostUsers", type: .bool, present: true),
        38: Field(name: "schedulingGates", type: .unsupported),
        39: Field(name: "resourceClaims", type: .unsupported),
        40: Field(name: "resources", type: .unsupported),
        41: Field(name: "hostnameOverride", type: .string, present: true),
    ])

    static let container = ProtobufSchema(name: "Container", fields: [
        1: Field(name: "name", type: .string),
        2: Field(name: "image", type: .string),
        3: Field(name: "command", type: .string, repeated: true),
        4: Field(name: "args", type: .string, repeated: true),
        5: Field(name: "workingDir", type: .string),
        6: Field(name: "ports", type: .message(ProtobufSchema(name: "ContainerPort", fields: [
            1: Field(name: "name", type: .string),
            2: Field(name: "hostPort", type: .int),
            3: Field(name: "containerPort", type: .int),
            4: Field(name: "protocol", type: .string),
            5: Field(name: "hostIP", type: .string),
        ])), repeated: true),
        7: Field(name: "env", type: .message(ProtobufSchema(name: "EnvVar", fields: [
            1: Field(name: "name", type: .string),
            2: Field(name: "value", type: .string),
            3: Field(name: "valueFrom", type: .unsupported),
        ])), repeated: true),
        8: Field(name: "resources", type: .message(ProtobufSchema(name: "ResourceRequirements", fields: [
            1: Field(name: "limits", type: .quantityMap),
            2: Field(name: "requests", type: .quantityMap),
            3: Field(name: "claims", type: .unsupported),
        ]))),
        9: Field(name: "volumeMounts", type: .message(ProtobufSchema(name: "VolumeMount", fields: [
            1: Field(name: "name", type: .string),
            2: Field(name: "readOnly", type: .bool),
            3: Field(name: "mountPath", type: .string),
            4: Field(name: "subPath", type: .string),
            5: Field(name: "mountPropagation", type: .string, present: true),
            6: Field(name: "subPathExpr", type: .string),
            7: Field(name: "recursiveReadOnly", type: .string, present: true),
            8: Field(name: "bindMountOptions", type: .unsupported),
        ])), repeated: true),
        10: Field(name: "livenessProbe", type: .unsupported),
        11: Field(name: "readinessProbe", type: .unsupported),
        12: Field(name: "lifecycle", type: .unsupported),
        13: Field(name: "terminationMessagePath", type: .string),
        14: Field(name: "imagePullPolicy", type: .string),
        15: Field(name: "securityContext", type: .unsupported),
        16: Field(name: "stdin", type: .bool),
        17: Field(name: "stdinOnce", type: .bool),
        18: Field(name: "tty", type: .bool),
        19: Field(name: "envFrom", type: .unsupported),
        20: Field(name: "terminationMessagePolicy", type: .string),
        21: Field(name: "volumeDevices", type: .unsupported),
        22: Field(name: "startupProbe", type: .unsupported),
        23: Field(name: "resizePolicy", type: .unsupported),
        24: Field(name: "restartPolicy", type: .string, present: true),
        25: Field(name: "restartPolicyRules", type: .unsupported),
    ])
}
