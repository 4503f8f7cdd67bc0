import Foundation
import KubernetesAPI

/// The opaque `continue` token of a paginated list: the list's revision and the last key returned.
struct ContinueToken: Sendable {
    var revision: Int64
    /// `namespace/name` of the last item returned; the next page starts after it.
    var after: String

    init(revision: Int64, after: String) {
        self.revision = revision
        self.after = after
    }

    init(decoding token: String) throws {
        guard let data = Data(base64Encoded: token), let json = try? JSONValue(parsing: data),
            let rv = json["rv"]?.intValue, let after = json["start"]?.stringValue
        else { throw APIError.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)") }
        self.revision = rv
        self.after = after
    }

    var encoded: String {
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(revision), "start": .string(after)]
        return json.jsonData().base64EncodedString()
    }

    /// The sort position of a key in a list (namespace, then name), as the store orders them.
    static func position(of key: StorageKey) -> String { "\(key.namespace)\u{0}\(key.name)" }
}
