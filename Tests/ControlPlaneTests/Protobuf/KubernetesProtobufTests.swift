import ControlPlane
import Foundation
import KubernetesAPI
import Testing

@Suite("Kubernetes protobuf request bodies")
struct KubernetesProtobufTests {
    /// The body kubectl 1.32 sent for `kubectl create configmap cmx --from-literal=k=v`.
    static let kubectlConfigMap: [UInt8] = hex("""
        6b38 7300 0a0f 0a02 7631 1209 436f 6e66 6967 4d61 7012 1d0a 130a 0363 6d78 1200
        1a00 2200 2a00 3200 3800 4200 1206 0a01 6b12 0176 1a00 2200
        """)

    typealias E = ProtobufTestEncoder

    @Test func decodesKubectlsConfigMapBody() throws {
        let object = try KubernetesProtobuf.decodeObject(Self.kubectlConfigMap)
        #expect(object == [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "cmx"],
            "data": ["k": "v"],
        ])
        #expect(try KubernetesProtobuf.decodeObject(Data(Self.kubectlConfigMap)) == object)
    }

    @Test func decodesANamespaceWithLabelsFinalizersAndATimestamp() throws {
        let meta = E.field(1, "demo") + E.field(2, "") + E.field(3, "")
            + E.field(8, E.varintField(1, 1_795_000_000))
            + E.entry(11, "team", Array("a".utf8)) + E.entry(11, "env", Array("prod".utf8))
            + E.entry(12, "note", Array("hello world".utf8))
            + E.varintField(7, 0)
        let raw = E.field(1, meta) + E.field(2, E.field(1, "kubernetes")) + E.field(3, E.field(1, ""))
        let object = try KubernetesProtobuf.decodeObject(E.body(kind: "Namespace", raw: raw))
        #expect(object == [
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": [
                "name": "demo", "creationTimestamp": "2026-11-18T11:06:40Z",
                "labels": ["team": "a", "env": "prod"], "annotations": ["note": "hello world"],
            ],
            "spec": ["finalizers": ["kubernetes"]],
        ])
    }

    @Test func decodesASecretWithBinaryDataAsBase64AndDefaultsTheTypeToOpaque() throws {
        let raw = E.field(1, E.field(1, "creds") + E.field(3, "") + E.field(14, "example.com/keep"))
            + E.entry(2, "password", [0x00, 0xFF, 0x41])
            + E.entry(2, "user", Array("admin".utf8))
            + E.field(3, "")
            + E.entry(4, "extra", Array("plain".utf8))
            + E.varintField(5, 1)
        let object = try KubernetesProtobuf.decodeObject(E.body(kind: "Secret", raw: raw))
        #expect(object == [
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque", "immutable": true,
            "metadata": ["name": "creds", "finalizers": ["example.com/keep"]],
            "data": ["password": "AP9B", "user": "YWRtaW4="],
            "stringData": ["extra": "plain"],
        ])
    }

    @Test func keepsAnExplicitSecretTypeAndDecodesOwnerReferences() throws {
        let owner = E.field(1, "Deployment") + E.field(3, "web") + E.field(4, "u-1") + E.field(5, "apps/v1") + E.varintField(6, 1)
        let raw = E.field(1, E.field(2, "tls-") + E.field(13, owner)) + E.field(3, "kubernetes.io/tls")
        let object = try KubernetesProtobuf.decodeObject(E.body(kind: "Secret", raw: raw))
        #expect(object["type"] == "kubernetes.io/tls")
        #expect(object["metadata"] == [
            "generateName": "tls-",
            "ownerReferences": [["kind": "Deployment", "name": "web", "uid": "u-1", "apiVersion": "apps/v1", "controller": true]],
        ])
    }

    @Test func skipsUnknownFields() throws {
        let raw = E.field(1, E.field(1, "cm") + E.field(99, "future")) + E.varintField(50, 7) + E.entry(3, "bin", [1, 2, 3])
        let object = try KubernetesProtobuf.decodeObject(E.body(kind: "ConfigMap", raw: raw))
        #expect(object == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cm"], "binaryData": ["bin": "AQID"]])
    }

    struct Malformed: CustomTestStringConvertible, Sendable {
        var name: String
        var body: [UInt8]
        var message: String
        var testDescription: String { name }
    }

    static let understood = "v1 ConfigMap, Namespace, Secret, Service, ServiceAccount, apps/v1 Deployment and the rbac.authorization.k8s.io/v1 kinds"

    static let malformed: [Malformed] = [
        Malformed(name: "JSON instead of protobuf", body: Array("{\"kind\":\"ConfigMap\"}".utf8),
                  message: "invalid protobuf body: it does not start with the Kubernetes magic bytes \"k8s\\x00\""),
        Malformed(name: "truncated envelope", body: Array(kubectlConfigMap.prefix(10)),
                  message: "invalid protobuf runtime.Unknown: found a length of 15 bytes with only 4 left"),
        Malformed(name: "varint overflow", body: [0x6B, 0x38, 0x73, 0x00] + Array(repeating: 0xFF, count: 11),
                  message: "invalid protobuf runtime.Unknown: found a varint overflowing 64 bits"),
        Malformed(name: "group wire type", body: [0x6B, 0x38, 0x73, 0x00, 0x4B],
                  message: "invalid protobuf runtime.Unknown: found a deprecated group field"),
        Malformed(name: "no kind", body: [0x6B, 0x38, 0x73, 0x00] + E.field(2, []),
                  message: "invalid protobuf body: the runtime.Unknown envelope has no kind"),
        Malformed(name: "unsupported kind", body: E.body(kind: "Pod", raw: []),
                  message: "protobuf bodies are supported for \(understood), not kind \"Pod\"; send JSON instead"),
        Malformed(name: "unsupported group", body: E.body(apiVersion: "batch/v1", kind: "Job", raw: []),
                  message: "protobuf bodies are supported for \(understood), not apiVersion \"batch/v1\"; send JSON instead"),
        Malformed(name: "metadata with the wrong wire type", body: E.body(kind: "ConfigMap", raw: E.varintField(1, 5)),
                  message: "invalid protobuf ConfigMap: found wire type 0 for metadata, which expects 2"),
        Malformed(name: "invalid UTF-8 in a name", body: E.body(kind: "ConfigMap", raw: E.field(1, E.field(1, [0xC3, 0x28]))),
                  message: "invalid protobuf ObjectMeta: found invalid UTF-8 in metadata.name"),
        Malformed(name: "field number zero", body: E.body(kind: "Namespace", raw: [0x02, 0x00]),
                  message: "invalid protobuf Namespace: found a field number of 0"),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedBodiesWithAClearError(_ testCase: Malformed) {
        #expect(throws: ProtobufDecodingError(testCase.message)) {
            try KubernetesProtobuf.decodeObject(testCase.body)
        }
    }

    @Test(arguments: [kubectlConfigMap, WorkloadProtobufTests.kubectlDeployment, WorkloadProtobufTests.kubectlClusterIPService])
    func everyTruncationAndByteFlipOfARealBodyDecodesOrThrowsWithoutCrashing(_ body: [UInt8]) {
        var outcomes = (decoded: 0, rejected: 0)
        func attempt(_ bytes: [UInt8]) {
            do {
                _ = try KubernetesProtobuf.decodeObject(bytes)
                outcomes.decoded += 1
            } catch is ProtobufDecodingError {
                outcomes.rejected += 1
            } catch {
                Issue.record("unexpected error type: \(error)")
            }
        }
        for length in 0..<body.count { attempt(Array(body.prefix(length))) }
        for index in body.indices {
            for value: UInt8 in [0x00, 0x7F, 0x80, 0xFF, body[index] ^ 0x01] {
                var mutated = body
                mutated[index] = value
                attempt(mutated)
            }
        }
        #expect(outcomes.rejected > 0)
        #expect(outcomes.decoded + outcomes.rejected == body.count + body.count * 5)
    }

    @Test func recognisesTheMagicPrefix() {
        #expect(KubernetesProtobuf.hasMagic(Self.kubectlConfigMap))
        #expect(!KubernetesProtobuf.hasMagic(Array("{}".utf8)))
        #expect(!KubernetesProtobuf.hasMagic([0x6B, 0x38]))
    }
}

/// Bytes from a hex dump (whitespace ignored).
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter(\.isHexDigit))
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(digits[$0...$0 + 1]), radix: 16) }
}
