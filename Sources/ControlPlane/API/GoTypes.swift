import KubernetesAPI

/// The Go type names kube-apiserver's decoding errors print for the built-in kinds' fields.
enum GoTypes {
    /// The structs that hold nested fields, by kind and the path of the struct inside the object.
    private static let structs: [String: String] = [
        "Deployment/spec": "DeploymentSpec",
        "Deployment/spec.template": "PodTemplateSpec",
        "Deployment/spec.template.metadata": "ObjectMeta",
        "Deployment/spec.template.spec": "PodSpec",
        "Deployment/spec.template.spec.containers": "Container",
        "Deployment/spec.template.spec.initContainers": "Container",
        "Deployment/spec.template.spec.containers.ports": "ContainerPort",
        "Deployment/spec.template.spec.initContainers.ports": "ContainerPort",
        "Deployment/spec.template.spec.containers.env": "EnvVar",
        "Deployment/spec.template.spec.initContainers.env": "EnvVar",
        "Deployment/spec.template.spec.containers.resources": "ResourceRequirements",
        "Deployment/spec.template.spec.initContainers.resources": "ResourceRequirements",
        "Deployment/spec.template.spec.containers.volumeMounts": "VolumeMount",
        "Deployment/spec.template.spec.initContainers.volumeMounts": "VolumeMount",
        "Deployment/spec.template.spec.tolerations": "Toleration",
        "Deployment/spec.template.spec.containers.livenessProbe": "Probe",
        "Deployment/spec.template.spec.containers.readinessProbe": "Probe",
        "Deployment/spec.template.spec.containers.startupProbe": "Probe",
        "Deployment/spec.template.spec.containers.livenessProbe.httpGet": "HTTPGetAction",
        "Deployment/spec.template.spec.containers.readinessProbe.httpGet": "HTTPGetAction",
        "Deployment/spec.template.spec.containers.startupProbe.httpGet": "HTTPGetAction",
        "Service/spec": "ServiceSpec",
        "EndpointSlice/endpoints": "Endpoint",
        "EndpointSlice/endpoints.conditions": "EndpointConditions",
        "EndpointSlice/ports": "EndpointPort",
        "Service/spec.ports": "ServicePort",
        "Lease/spec": "LeaseSpec",
        "NetworkPolicy/spec": "NetworkPolicySpec",
        "NetworkPolicy/spec.ingress": "NetworkPolicyIngressRule",
        "NetworkPolicy/spec.egress": "NetworkPolicyEgressRule",
        "NetworkPolicy/spec.ingress.from": "NetworkPolicyPeer",
        "NetworkPolicy/spec.egress.to": "NetworkPolicyPeer",
        "NetworkPolicy/spec.ingress.from.ipBlock": "IPBlock",
        "NetworkPolicy/spec.egress.to.ipBlock": "IPBlock",
        "NetworkPolicy/spec.ingress.ports": "NetworkPolicyPort",
        "NetworkPolicy/spec.egress.ports": "NetworkPolicyPort",
        "Namespace/spec": "NamespaceSpec",
        "Namespace/status": "NamespaceStatus",
        "CustomResourceDefinition/spec": "CustomResourceDefinitionSpec",
        "CustomResourceDefinition/spec.names": "CustomResourceDefinitionNames",
    ]

    /// String fields whose Go type is a named string type, by kind and path (elements, for a list).
    private static let namedStrings: [String: String] = [
        "NetworkPolicy/spec.policyTypes": "v1.PolicyType",
        "NetworkPolicy/spec.ingress.ports.protocol": "v1.Protocol",
        "NetworkPolicy/spec.egress.ports.protocol": "v1.Protocol",
        "Service/spec.ports.protocol": "v1.Protocol",
        "Service/spec.type": "v1.ServiceType",
    ]

    /// A string field's Go type: `string`, or the named type kube-apiserver's errors print (`v1.Protocol`).
    static func stringName(kind: String, path: [String]) -> String {
        namedStrings["\(kind)/\(path.joined(separator: "."))"] ?? "string"
    }

    /// The struct that declares the field under `parentPath` (`DeploymentSpec` for `spec.replicas`).
    static func structName(kind: String, parentPath: String) -> String {
        structs["\(kind)/\(parentPath)"] ?? kind
    }

    /// An object field's Go type: a `v1.` struct, or a string map.
    static func objectName(_ schema: JSONValue, kind: String, path: [String]) -> String {
        if schema["additionalProperties"]?["type"]?.stringValue == "string" { return "map[string]string" }
        if path.isEmpty { return "v1.\(kind)" }
        return "v1." + structName(kind: kind, parentPath: path.joined(separator: "."))
    }

    /// An array element's Go type.
    static func elementName(_ items: JSONValue?, kind: String, path: [String]) -> String {
        switch items?["type"]?.stringValue {
        case "string": return stringName(kind: kind, path: path)
        case "integer": return items?["format"]?.stringValue ?? "int64"
        case "boolean": return "bool"
        default: return "v1." + structName(kind: kind, parentPath: path.joined(separator: "."))
        }
    }
}
