import Foundation
import KubernetesAPI

/// Decodes request bodies: JSON (also when no Content-Type is sent, as the Python client does), YAML and the
/// protobuf envelope kubectl 1.32+ uses for Namespace, ConfigMap and Secret. Numbers keep kube-apiserver's
/// reading: a literal without `.` that fits int64 is an integer, any other number a float.
enum BodyDecoding {
    static let acceptedTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]

    static func decode(_ data: Data, contentType: String?, definition: ResourceDefinition) throws -> JSONValue {
        let media = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch media {
        case "", "application/json", "*/*":
            do {
                return try CompactJSON.decode(data)
            } catch {
                throw APIError.badRequest("couldn't get version/kind; json parse error: \(error)")
            }
        case "application/yaml":
            do {
                return try ApplyYAML.parse(String(decoding: data, as: UTF8.self))
            } catch {
                throw APIError.badRequest("couldn't get version/kind; yaml parse error: \(error)")
            }
        case "application/vnd.kubernetes.protobuf":
            guard KubernetesProtobuf.understands(apiVersion: definition.apiVersion, kind: definition.kind) else {
                throw APIError.unsupportedMediaType(accepted: ["application/json", "application/yaml"])
            }
            do {
                return try KubernetesProtobuf.decodeObject(data)
            } catch let e as ProtobufDecodingError {
                throw APIError.badRequest(String(describing: e))
            }
        default:
            throw APIError.unsupportedMediaType(accepted: acceptedTypes)
        }
    }
}

