import Foundation
import KubernetesAPI

/// The patch formats the server accepts.
enum PatchType: Sendable {
    case merge
    case json
    case strategic

    /// Reads the request's Content-Type; strategic merge is for built-in kinds only, apply is not served yet.
    init(contentType: String, definition: ResourceDefinition) throws {
        let media = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch media {
        case "application/merge-patch+json": self = .merge
        case "application/json-patch+json": self = .json
        case "application/strategic-merge-patch+json" where definition.acceptsStrategicMerge: self = .strategic
        default: throw APIError.unsupportedMediaType(accepted: definition.acceptedPatchTypes)
        }
    }
}

/// Applies a patch document to an object with the Patch module, mapping its failures to Status errors.
enum Patching {
    static func apply(_ type: PatchType, patch: Data, to object: JSONValue, kind: String) throws -> JSONValue {
        let document: JSONValue
        do {
            document = try CompactJSON.decode(patch)
        } catch {
            throw APIError.badRequest("error decoding patch: \(error)")
        }
        do {
            switch type {
            case .merge:
                guard document.objectValue != nil else { throw APIError.badRequest("error decoding patch: a merge patch must be a JSON object") }
                return JSONMergePatch.apply(document, to: object)
            case .json:
                return try JSONPatch.apply(document, to: object)
            case .strategic:
                return try StrategicMergePatch.apply(document, to: object, schema: StrategicMergeSchema.forKind(kind))
            }
        } catch let e as PatchError {
            switch e.code {
            case .badRequest: throw APIError.badRequest(e.message)
            case .unprocessable: throw APIError(code: 422, reason: StatusReason.invalid, message: e.message)
            }
        }
    }
}
