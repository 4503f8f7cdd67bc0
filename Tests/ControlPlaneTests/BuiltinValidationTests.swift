import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// The built-in validation clients run into: base64 data, a Deployment's replicas and immutable
/// selector, a role binding's immutable roleRef, a Secret's immutable type, and no resourceVersion
/// on a create, each with kube-apiserver's status and message.
struct BuiltinValidationTests {
    static let secrets = "/api/v1/namespaces/default/secrets"

    @Test func goBase64ReportsTheOffsetGoReports() {
        for size in [0, 1, 2, 3, 4, 5, 17, 64] {
            let encoded = Data((0..<size).map { UInt8($0 * 37 % 256) }).base64EncodedString()
            #expect(GoBase64.firstError(Array(encoded.utf8)) == nil, "\(encoded)")
        }
        #expect(GoBase64.firstError(Array("aGVs\nbG8=".utf8)) == nil)
        #expect(GoBase64.firstError(Array("not base64!".utf8)) == 3)
        #expect(GoBase64.firstError(Array("abc".utf8)) == 0)
        #expect(GoBase64.firstError(Array("ab=c".utf8)) == 2)
        #expect(GoBase64.firstError(Array("aGk=aGk=".utf8)) == 4)
    }

    @Test(arguments: TestStorage.allCases) func badBase64AndImmutableFieldsAreRefused(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let bad = try await client.post(Self.secrets, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "b"], "data": ["k": "not base64!"]])
            #expect(bad.status == 400)
            #expect(bad.json["message"] == #"Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3"#)
            let binary = try await client.post(
                "/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "binaryData": ["k": "%%%%"]])
            #expect(binary.status == 400)
            let keys = try await client.post(
                "/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "keys"], "data": ["a b": "1", "..x": "2"]])
            #expect(keys.status == 422)
            #expect(keys.json["message"] == """
                ConfigMap "keys" is invalid: [data[..x]: Invalid value: "..x": must not start with '..', data[a b]: Invalid value: "a b": a valid config key \
                must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')]
                """)
            let big = try await client.post(
                "/api/v1/namespaces/default/configmaps",
                ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big"], "data": ["k": .string(String(repeating: "x", count: 1_100_000))]])
            #expect(big.status == 422)
            #expect(big.json["message"] == #"ConfigMap "big" is invalid: : Too long: must have at most 1048576 bytes"#)
            let secret = try await client.post(Self.secrets, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "data": ["k": "aGk="]])
            #expect(secret.status == 201)
            let retyped = try await client.patch(Self.secrets + "/s", ["type": "kubernetes.io/basic-auth"])
            #expect(retyped.status == 422)
            #expect(retyped.json["message"] == #"Secret "s" is invalid: type: Invalid value: "kubernetes.io/basic-auth": field is immutable"#)
            // Sent back as it was read (with its resourceVersion), a create fails as on kube-apiserver.
            var copy = secret.json
            copy.setValue("s2", at: ["metadata", "name"])
            copy.setValue(nil, at: ["metadata", "uid"])
            let echoed = try await client.post(Self.secrets, copy)
            #expect(echoed.status == 500)
            #expect(echoed.json["message"] == "resourceVersion should not be set on objects to be created")
        }
    }

    /// A pod template's typed fields are checked as Go decodes them, so nothing stored fails a typed client.
    @Test func aPodTemplateWithAWronglyTypedFieldIsRefused() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            let path = "/apis/apps/v1/namespaces/default/deployments"
            func deployment(_ container: JSONValue) -> JSONValue {
                var d = WorkloadSimulationTests.deployment("d", replicas: 1, app: "d")
                d.setValue([container], at: ["spec", "template", "spec", "containers"])
                return d
            }
            let port = try await client.post(path, deployment(["name": "c", "image": "x", "ports": [["containerPort": "80"]]]))
            #expect(port.status == 400)
            #expect(port.json["message"]
                == #"Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32"#)
            let env = try await client.post(path, deployment(["name": "c", "image": "x", "env": "x"]))
            #expect(env.status == 400)
            #expect(env.json["message"]
                == #"Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.env of type []v1.EnvVar"#)
            let image = try await client.post(path, deployment(["name": "c", "image": 5]))
            #expect(image.status == 400)
            // A merge patch that breaks one is 422 on the patch, as for any built-in field.
            let good: JSONValue = ["name": "c", "image": "x", "ports": [["containerPort": 80]], "resources": ["limits": ["cpu": 0.5, "memory": "1Gi"]],
                                   "livenessProbe": ["httpGet": ["path": "/", "port": "http"], "periodSeconds": 5]]
            #expect(try await client.post(path, deployment(good)).status == 201)
            let patched = try await client.patch(path + "/d", ["spec": ["template": ["spec": ["terminationGracePeriodSeconds": "30"]]]])
            #expect(patched.status == 422)
        }
    }

    @Test func anEndpointSliceWithAWronglyTypedEndpointIsRefused() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            let path = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
            func slice(_ endpoint: JSONValue) -> JSONValue {
                ["apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": ["name": "s"], "addressType": "IPv4", "endpoints": [endpoint], "ports": [["port": 80]]]
            }
            let ready = try await client.post(path, slice(["addresses": ["10.0.0.1"], "conditions": ["ready": "yes"]]))
            #expect(ready.status == 400)
            #expect(ready.json["message"]
                == #"EndpointSlice in version "v1" cannot be handled as a EndpointSlice: json: cannot unmarshal string into Go struct field EndpointConditions.endpoints.conditions.ready of type bool"#)
            #expect(try await client.post(path, slice(["addresses": "10.0.0.1"])).status == 400)
            #expect(try await client.post(path, slice(["addresses": ["10.0.0.1"], "conditions": ["ready": true], "zone": "a"])).status == 201)
        }
    }

    @Test(arguments: TestStorage.allCases) func deploymentsAndRoleBindingsKeepWhatMayNotChange(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let path = "/apis/apps/v1/namespaces/default/deployments"
            var negative = WorkloadSimulationTests.deployment("neg", replicas: 1, app: "neg")
            negative.setValue(-1, at: ["spec", "replicas"])
            let refused = try await client.post(path, negative)
            #expect(refused.status == 422)
            #expect(refused.json["message"] == #"Deployment.apps "neg" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"#)
            #expect(try await client.post(path, WorkloadSimulationTests.deployment("web", replicas: 1, app: "web")).status == 201)
            let moved = try await client.patch(path + "/web", ["spec": ["selector": ["matchLabels": ["app": "other"]], "template": ["metadata": ["labels": ["app": "other"]]]]])
            #expect(moved.status == 422)
            #expect(moved.json["message"]
                == #"Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"#)
            #expect(try await client.patch(path + "/web", ["spec": ["replicas": 3]]).status == 200)
            // kubectl get deploy -o wide: the containers, images and selector.
            let table = try await client.get(path, accept: "application/json;as=Table;v=v1;g=meta.k8s.io").json
            let names = (table["columnDefinitions"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            #expect(names == ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"])
            let row = try #require(table["rows"]?.arrayValue?.first?["cells"]?.arrayValue)
            #expect(Array(row.suffix(3)) == ["c", "nginx", "app=web"])
            // The uid never changes.
            let uid = try await client.patch(path + "/web", ["metadata": ["uid": "11111111-2222-3333-4444-555555555555"]])
            #expect(uid.status == 422)
            #expect(uid.json["message"] == #"Deployment.apps "web" is invalid: metadata.uid: Invalid value: "11111111-2222-3333-4444-555555555555": field is immutable"#)
            let bindings = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings"
            let binding: JSONValue = [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "rb"],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"],
                "subjects": [["kind": "User", "name": "ann", "apiGroup": "rbac.authorization.k8s.io"]],
            ]
            #expect(try await client.post(bindings, binding).status == 201)
            let escalated = try await client.patch(bindings + "/rb", ["roleRef": ["name": "admin"]])
            #expect(escalated.status == 422)
            #expect(escalated.json["message"]
                == #"RoleBinding.rbac.authorization.k8s.io "rb" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"admin"}: cannot change roleRef"#)
            #expect(try await client.patch(bindings + "/rb", ["metadata": ["labels": ["team": "a"]]]).status == 200)
        }
    }
}
