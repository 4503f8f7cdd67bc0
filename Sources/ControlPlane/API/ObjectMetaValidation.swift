import KubernetesAPI

/// kube-apiserver's `ValidateObjectMeta` checks of labels, annotations and owner references,
/// with its field paths and messages, applied to every kind on create, update, patch and apply
/// (422 Invalid). A field an update leaves as the stored object had it is not checked again, so an
/// object stored before a rule existed can still get status writes.
enum ObjectMetaValidation {
    /// The most bytes all annotation keys and values may take together.
    static let annotationsSizeLimit = 256 * 1024

    /// The field errors of `object`'s metadata; empty when it is valid.
    static func errors(_ object: JSONValue, old: JSONValue?) -> [FieldError] {
        guard let metadata = object["metadata"]?.objectValue else { return [] }
        let oldMetadata = old?["metadata"]
        func changed(_ field: String) -> JSONValue? {
            guard let value = metadata[field], !value.isNull, value != oldMetadata?[field] else { return nil }
            return value
        }
        var out: [FieldError] = []
        if let labels = changed("labels")?.objectValue {
            for key in labels.keys.sorted() {
                out += qualifiedNameProblems(key).map { .invalid("metadata.labels", value: .string(key), $0) }
                let value = labels[key]?.stringValue ?? ""
                out += labelValueProblems(value).map { .invalid("metadata.labels", value: .string(value), $0) }
            }
        }
        if let annotations = changed("annotations")?.objectValue {
            var size = 0
            for key in annotations.keys.sorted() {
                out += qualifiedNameProblems(key.lowercased()).map { .invalid("metadata.annotations", value: .string(key), $0) }
                size += key.utf8.count + (annotations[key]?.stringValue?.utf8.count ?? 0)
            }
            if size > annotationsSizeLimit {
                out.append(FieldError(field: "metadata.annotations", reason: .tooLong, message: "Too long: may not be more than \(annotationsSizeLimit) bytes"))
            }
        }
        if let references = changed("ownerReferences")?.arrayValue {
            out += ownerReferenceErrors(references)
        }
        return out
    }

    /// `ValidateOwnerReferences`: each reference names its owner fully, no Event owns anything,
    /// and at most one reference is the controller.
    static func ownerReferenceErrors(_ references: [JSONValue]) -> [FieldError] {
        let path = "metadata.ownerReferences"
        var out: [FieldError] = []
        var firstController: String?
        for reference in references {
            let apiVersion = reference["apiVersion"]?.stringValue ?? ""
            let kind = reference["kind"]?.stringValue ?? ""
            let name = reference["name"]?.stringValue ?? ""
            let uid = reference["uid"]?.stringValue ?? ""
            let version = Self.version(of: apiVersion)
            if version.isEmpty { out.append(.invalid("\(path).apiVersion", value: .string(apiVersion), "version must not be empty")) }
            if kind.isEmpty { out.append(.invalid("\(path).kind", value: .string(kind), "kind must not be empty")) }
            if name.isEmpty { out.append(.invalid("\(path).name", value: .string(name), "name must not be empty")) }
            if uid.isEmpty { out.append(.invalid("\(path).uid", value: .string(uid), "uid must not be empty")) }
            if apiVersion == "v1", kind == "Event" {
                out.append(.invalid(path, value: reference, "/v1, Kind=Event is disallowed from being an owner"))
            }
            if reference["controller"]?.boolValue == true {
                let current = "\(kind)/\(name)"
                if let firstController {
                    out.append(.invalid(path, value: .array(references), "Only one reference can have Controller set to true. Found \"true\" in references for \(firstController) and \(current)"))
                } else {
                    firstController = current
                }
            }
        }
        return out
    }

    /// The version part of `group/version` or `version`; empty when `apiVersion` does not parse.
    static func version(of apiVersion: String) -> String {
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return String(parts[0])
        case 2: return String(parts[1])
        default: return ""
        }
    }

    private static let qualifiedNameRule =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

    /// `IsQualifiedName`: an optional DNS subdomain prefix and `/`, then a name of at most 63 characters.
    static func qualifiedNameProblems(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let name: String
        var out: [String] = []
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            name = parts[1]
            if parts[0].isEmpty {
                out.append("prefix part must be non-empty")
            } else {
                out += NameValidation.problems(parts[0], rule: .subdomain).map { "prefix part " + $0 }
            }
        default:
            return ["a qualified name " + qualifiedNameRule + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            out.append("name part must be non-empty")
        } else {
            if name.utf8.count > 63 { out.append("name part must be no more than 63 characters") }
            if !isQualifiedNamePart(name) { out.append("name part " + qualifiedNameRule) }
        }
        return out
    }

    /// `IsValidLabelValue`: empty, or at most 63 characters shaped like a qualified name part.
    static func labelValueProblems(_ value: String) -> [String] {
        var out: [String] = []
        if value.utf8.count > 63 { out.append("must be no more than 63 characters") }
        if !value.isEmpty, !isQualifiedNamePart(value) {
            out.append(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
            )
        }
        return out
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
    private static func isQualifiedNamePart(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) }
        guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }
}
