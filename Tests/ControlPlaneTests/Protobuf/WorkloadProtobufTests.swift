import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// The bodies kubectl 1.32 sends for `kubectl create deployment` and `kubectl create service …`,
/// captured from the real kubectl, decode into the objects its `--dry-run=client -o json` prints.
@Suite("Deployment and Service protobuf request bodies")
struct WorkloadProtobufTests {
    typealias E = ProtobufTestEncoder

    /// `kubectl create deployment web --image=nginx:1.27 --port=8080 --replicas=3 -- /bin/sh -c "sleep 1"`.
    static let kubectlDeployment = hex("""
        6b3873000a150a07617070732f7631120a4465706c6f796d656e7412d5010a1f0a0377656212001a0022002a003200380042005a0a0a0361
        7070120377656212a3010803120c0a0a0a0361707012037765621a88010a1c0a0012001a0022002a003200380042005a0a0a036170701203
        7765621268124a0a056e67696e78120a6e67696e783a312e32371a072f62696e2f73681a022d631a07736c65657020312a00320b0a001000
        18903f22002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a
        00280038001a0c0800100018002000280038001a002200
        """)

    /// `kubectl create deployment zero --image=busybox --replicas=0`.
    static let kubectlZeroReplicas = hex("""
        6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b4010a210a047a65726f12001a0022002a003200380042005a0b0a03
        61707012047a65726f1280010800120d0a0b0a0361707012047a65726f1a650a1d0a0012001a0022002a003200380042005a0b0a03617070
        12047a65726f124412260a0762757379626f78120762757379626f782a0042006a007200800100880100900100a201001a00320042004a00
        52005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200
        """)

    /// `kubectl create service clusterip web --tcp=80:8080 --tcp=443`.
    static let kubectlClusterIPService = hex("""
        6b3873000a0d0a0276311207536572766963651283010a1f0a0377656212001a0022002a003200380042005a0a0a036170701203776562125c
        0a1b0a0738302d38303830120354435018502207080010903f1a0028000a180a03343433120354435018bb032207080010bb031a00280012
        0a0a0361707012037765621a002209436c757374657249503a00420052005a00600068001a020a001a002200
        """)

    @Test func decodesKubectlsDeploymentAsItsDryRunPrintsIt() throws {
        let object = try KubernetesProtobuf.decodeObject(Self.kubectlDeployment)
        #expect(object == [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "labels": ["app": "web"]],
            "spec": [
                "replicas": 3,
                "selector": ["matchLabels": ["app": "web"]],
                "template": [
                    "metadata": ["labels": ["app": "web"]],
                    "spec": ["containers": [[
                        "name": "nginx", "image": "nginx:1.27", "command": ["/bin/sh", "-c", "sleep 1"],
                        "ports": [["containerPort": 8080]], "resources": [:],
                    ]]],
                ],
                "strategy": [:],
            ],
        ])
    }

    @Test func keepsZeroReplicasWhichKubectlSetsAndLeavesOtherZeroesOut() throws {
        let object = try KubernetesProtobuf.decodeObject(Self.kubectlZeroReplicas)
        #expect(object["spec"]?["replicas"] == 0)
        #expect(object["spec"]?["minReadySeconds"] == nil && object["spec"]?["paused"] == nil)
        #expect(object["spec"]?["template"]?["spec"] == ["containers": [["name": "busybox", "image": "busybox", "resources": [:]]]])
    }

    @Test func decodesKubectlsServices() throws {
        let clusterIP = try KubernetesProtobuf.decodeObject(Self.kubectlClusterIPService)
        #expect(clusterIP == [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": "web", "labels": ["app": "web"]],
            "spec": [
                "ports": [
                    ["name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080],
                    ["name": "443", "protocol": "TCP", "port": 443, "targetPort": 443],
                ],
                "selector": ["app": "web"], "type": "ClusterIP",
            ],
        ])
        // `create service clusterip hl --clusterip=None`, `nodeport np --tcp=80:8080 --node-port=30080`,
        // `externalname ext --external-name=db.example.com`.
        let headless = try KubernetesProtobuf.decodeObject(hex("""
            6b3873000a0d0a027631120753657276696365124d0a1d0a02686c12001a0022002a003200380042005a090a036170701202686c122812090a
            036170701202686c1a044e6f6e652209436c757374657249503a00420052005a00600068001a020a001a002200
            """))
        #expect(headless["spec"] == ["selector": ["app": "hl"], "clusterIP": "None", "type": "ClusterIP"])
        let nodePort = try KubernetesProtobuf.decodeObject(hex("""
            6b3873000a0d0a02763112075365727669636512670a1d0a026e7012001a0022002a003200380042005a090a0361707012026e7012420a1d
            0a0738302d38303830120354435018502207080010903f1a002880eb0112090a0361707012026e701a0022084e6f6465506f72743a004200
            52005a00600068001a020a001a002200
            """))
        #expect(nodePort["spec"]?["ports"] == [["name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080, "nodePort": 30080]])
        #expect(nodePort["spec"]?["type"] == "NodePort")
        let external = try KubernetesProtobuf.decodeObject(hex("""
            6b3873000a0d0a027631120753657276696365125d0a1f0a0365787412001a0022002a003200380042005a0a0a036170701203657874123612
            0a0a0361707012036578741a00220c45787465726e616c4e616d653a004200520e64622e6578616d706c652e636f6d5a0060006800
            1a020a001a002200
            """))
        #expect(external["spec"] == ["selector": ["app": "ext"], "type": "ExternalName", "externalName": "db.example.com"])
    }

    @Test func decodesNamedTargetPortsEnvironmentResourcesAndPointerFields() throws {
        let port = E.field(1, "http") + E.field(2, "TCP") + E.varintField(3, 80) + E.field(4, E.varintField(1, 1) + E.varintField(2, 0) + E.field(3, "web"))
        let service = E.field(1, E.field(1, "s")) + E.field(2, E.field(1, port) + E.field(21, "") + E.varintField(20, 0))
        #expect(try KubernetesProtobuf.decodeObject(E.body(kind: "Service", raw: service))["spec"] == [
            "ports": [["name": "http", "protocol": "TCP", "port": 80, "targetPort": "web"]],
            // Pointer fields are written only when set: their zero values stay.
            "loadBalancerClass": "", "allocateLoadBalancerNodePorts": false,
        ])
        let quantity = { (text: String) in E.field(1, text) }
        let container = E.field(1, "app") + E.field(2, "busybox")
            + E.field(7, E.field(1, "MODE") + E.field(2, "fast")) + E.field(7, E.field(1, "EMPTY") + E.field(2, ""))
            + E.field(8, E.entry(1, "cpu", quantity("500m")) + E.entry(2, "memory", quantity("64Mi")))
            + E.field(9, E.field(1, "data") + E.varintField(2, 1) + E.field(3, "/data"))
        let pod = E.field(2, container) + E.varintField(4, 30) + E.entry(7, "disk", Array("ssd".utf8))
            + E.field(22, E.field(1, "dedicated") + E.field(2, "Equal") + E.field(3, "db") + E.field(4, "NoSchedule"))
        let spec = E.field(2, E.field(2, E.field(1, "s"))) + E.field(3, E.field(2, pod))
            + E.field(4, E.field(1, "RollingUpdate") + E.field(2, E.field(1, E.varintField(1, 1) + E.field(3, "25%"))))
        let deployment = try KubernetesProtobuf.decodeObject(E.body(apiVersion: "apps/v1", kind: "Deployment", raw: E.field(1, E.field(1, "d")) + E.field(2, spec)))
        #expect(deployment["spec"]?["strategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%"]])
        #expect(deployment["spec"]?["template"]?["spec"] == [
            "containers": [[
                "name": "app", "image": "busybox", "env": [["name": "MODE", "value": "fast"], ["name": "EMPTY"]],
                "resources": ["limits": ["cpu": "500m"], "requests": ["memory": "64Mi"]],
                "volumeMounts": [["name": "data", "readOnly": true, "mountPath": "/data"]],
            ]],
            "terminationGracePeriodSeconds": 30, "nodeSelector": ["disk": "ssd"],
            "tolerations": [["key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"]],
        ])
    }

    @Test func refusesAFieldItDoesNotDecodeByNameAndAcceptsItWhileZero() throws {
        func deployment(pod: [UInt8]) -> [UInt8] {
            E.body(apiVersion: "apps/v1", kind: "Deployment", raw: E.field(1, E.field(1, "d")) + E.field(2, E.field(3, E.field(2, pod))))
        }
        let probe = E.field(2, E.field(1, "app") + E.field(10, E.varintField(2, 5)))
        #expect(throws: ProtobufDecodingError(
            "protobuf field Deployment.spec.template.spec.containers.livenessProbe is not supported by this server; send the object as JSON or YAML instead (kubectl apply -f FILE)"
        )) { try KubernetesProtobuf.decodeObject(deployment(pod: probe)) }
        #expect(throws: ProtobufDecodingError(
            "protobuf field Deployment.spec.template.spec field 99 is not supported by this server; send the object as JSON or YAML instead (kubectl apply -f FILE)"
        )) { try KubernetesProtobuf.decodeObject(deployment(pod: E.varintField(99, 1))) }
        // Unset, as Go writes it: accepted and left out.
        let unset = try KubernetesProtobuf.decodeObject(deployment(pod: E.field(14, []) + E.varintField(99, 0) + E.field(2, E.field(1, "app") + E.field(10, []))))
        #expect(unset["spec"]?["template"]?["spec"] == ["containers": [["name": "app"]]])
    }

    @Test func readsPastTheStatusACreateIgnores() throws {
        let raw = E.field(1, E.field(1, "s")) + E.field(3, E.field(1, E.field(1, E.field(1, "10.0.0.1"))))
        #expect(try KubernetesProtobuf.decodeObject(E.body(kind: "Service", raw: raw)) == ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "s"]])
    }
}
