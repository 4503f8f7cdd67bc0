import FederationAPI
import Foundation

/// Decodes request bodies: JSON (also when no Content-Type is sent, as the Python client does) and the
/// protobuf envelope kubectl 1.32+ uses for Namespace, ConfigMap and Secret.
enum BodyDecoding {
    static let acceptedTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]

    static func decode(_ data: Data, contentType: String?, definition: ResourceDefinition) throws -> JSONValue {
        let media = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch media {
        case "", "application/json", "*/*":
            do {
                return try JSONValue(parsing: data)
            } catch {
                throw APIError.badRequest("couldn't get version/kind; json parse error: \(error.localizedDescription)")
            }
        case "application/vnd.kubernetes.protobuf":
            return try ProtobufBodies.decode(data, definition: definition)
        default:
            throw APIError.unsupportedMediaType(accepted: acceptedTypes)
        }
    }
}

/// Protobuf request bodies. (Interim: the decoder comes from the Protobuf module once merged.)
enum ProtobufBodies {
    static func decode(_ data: Data, definition: ResourceDefinition) throws -> JSONValue {
        throw APIError.unsupportedMediaType(accepted: ["application/json"])
    }
}
