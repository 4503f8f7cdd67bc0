import Foundation
import KubernetesAPI

extension JSONValue {
    /// This object with `metadata.resourceVersion` set to `revision` (as a string).
    ///
    /// Throws when the value is not a JSON object or its `metadata` is present but not an object,
    /// because such a value cannot carry a resourceVersion.
    func stampingResourceVersion(_ revision: Int64, key: StorageKey) throws -> JSONValue {
        guard case .object(var members) = self else {
            throw StorageError(.internalError, key: key, message: "object for \(key) must be a JSON object, not \(typeName)")
        }
        var metadata: [String: JSONValue]
        switch members["metadata"] {
        case nil, .null?:
            metadata = [:]
        case .object(let existing)?:
            metadata = existing
        case let other?:
            throw StorageError(.internalError, key: key, message: "metadata of \(key) must be a JSON object, not \(other.typeName)")
        }
        metadata["resourceVersion"] = .string(String(revision))
        members["metadata"] = .object(metadata)
        return .object(members)
    }

    /// Parses an object as stored in the database.
    static func decodeStored(_ data: Data, key: StorageKey) throws -> JSONValue {
        do {
            return try CompactJSON.decode(data)
        } catch {
            throw StorageError(.internalError, key: key, message: "stored object \(key) is not valid JSON: \(error)")
        }
    }
}
