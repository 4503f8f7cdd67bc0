import Foundation
import KubernetesAPI

/// kube-apiserver's validation of built-in kinds that clients run into most: a Deployment's replicas
/// and its immutable selector, a role binding's immutable `roleRef`, a Secret's immutable `type` and
/// its base64 `data` (a ConfigMap's `binaryData` too), a NetworkPolicy's `policyTypes`, in its messages. Everything else about a
/// built-in kind's spec is stored as sent (see docs/control-plane.md).
enum BuiltinValidation {
    /// The field errors of `object` (an update of `old` when given).
    static func errors(_ object: JSONValue, old: JSONValue?, definition: ResourceDefinition) -> [FieldError] {
        var errors: [FieldError] = []
        switch (definition.group, definition.kind) {
        case ("apps", "Deployment"):
            if let replicas = object.value(at: ["spec", "replicas"])?.intValue, replicas < 0 {
                errors.append(.invalid("spec.replicas", value: .int(replicas), "must be greater than or equal to 0"))
            }
            if let old, let selector = object.value(at: ["spec", "selector"]), selector != old.value(at: ["spec", "selector"]) {
                errors.append(FieldError(field: "spec.selector", reason: .invalid, message: "Invalid value: \(GoValues.labelSelector(selector)): field is immutable"))
            }
        case ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"):
            if let old, let roleRef = object["roleRef"], roleRef != old["roleRef"] {
                errors.append(FieldError(field: "roleRef", reason: .invalid, message: "Invalid value: \(GoValues.roleRef(roleRef)): cannot change roleRef"))
            }
        case ("", "Secret"):
            errors += dataKeys(object, fields: ["data"])
            if let old, object["type"] != old["type"] {
                errors.append(.invalid("type", value: object["type"] ?? .string(""), "field is immutable"))
            }
            if dataSize(object, fields: ["data"]) > maxDataSize {
                errors.append(FieldError(field: "data", reason: .tooLong, message: "Too long: must have at most \(maxDataSize) bytes"))
            }
        case ("networking.k8s.io", "NetworkPolicy"):
            let types = object.value(at: ["spec", "policyTypes"])?.arrayValue ?? []
            if types.count > 2 {
                errors.append(FieldError(field: "spec.policyTypes", reason: .invalid, message: "Invalid value: []networking.PolicyType{\(types.map { GoValues.quoted($0.stringValue ?? "") }.joined(separator: ", "))}: may not specify more than two policyTypes"))
            } else {
                for (i, type) in types.enumerated() where type != "Ingress" && type != "Egress" {
                    errors.append(.notSupported("spec.policyTypes[\(i)]", value: type, supported: ["Ingress", "Egress"]))
                }
            }
        case ("", "ConfigMap"):
            errors += dataKeys(object, fields: ["data", "binaryData"])
            let data = Set(object["data"]?.objectValue?.keys.map { $0 } ?? [])
            for key in (object["binaryData"]?.objectValue?.keys.sorted() ?? []) where data.contains(key) {
                errors.append(.invalid("data[\(key)]", value: .string(key), "duplicate of key present in binaryData"))
            }
            if dataSize(object, fields: ["data", "binaryData"]) > maxDataSize {
                errors.append(FieldError(field: "", reason: .tooLong, message: "Too long: must have at most \(maxDataSize) bytes"))
            }
        default:
            break
        }
        return errors
    }

    /// The most a ConfigMap's or Secret's data may hold together, in bytes (1 MiB).
    static let maxDataSize = 1 << 20

    /// The bytes `fields` hold: string values as they are, base64 ones (a Secret's `data`, a
    /// ConfigMap's `binaryData`) decoded.
    static func dataSize(_ object: JSONValue, fields: [String]) -> Int {
        var size = 0
        for field in fields {
            let encoded = field == "binaryData" || object["kind"]?.stringValue == "Secret"
            for value in (object[field]?.objectValue ?? [:]).values {
                let text = value.stringValue ?? ""
                size += encoded ? (Data(base64Encoded: text, options: .ignoreUnknownCharacters)?.count ?? text.utf8.count) : text.utf8.count
            }
        }
        return size
    }

    /// kube-apiserver's `IsConfigMapKey` for every key of `fields` (`data[key]: Invalid value: …`).
    static func dataKeys(_ object: JSONValue, fields: [String]) -> [FieldError] {
        var errors: [FieldError] = []
        for field in fields {
            for key in (object[field]?.objectValue?.keys.sorted() ?? []) {
                for problem in configKeyProblems(key) { errors.append(.invalid("\(field)[\(key)]", value: .string(key), problem)) }
            }
        }
        return errors
    }

    /// Why `key` is not a valid ConfigMap or Secret key, in kube-apiserver's words.
    static func configKeyProblems(_ key: String) -> [String] {
        var problems: [String] = []
        if key.utf8.count > 253 { problems.append("must be no more than 253 characters") }
        let allowed = !key.isEmpty && key.utf8.allSatisfy { c in
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
        }
        if !allowed {
            problems.append(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
        }
        if key == "." { problems.append("must not be '.'") } else if key == ".." { problems.append("must not be '..'") } else if key.hasPrefix("..") {
            problems.append("must not start with '..'")
        }
        return problems
    }

    /// Go's error for the first `data` (Secret) or `binaryData` (ConfigMap) value that is not
    /// standard base64, as `encoding/json` reports it for a `[]byte` field.
    static func base64Failure(_ object: JSONValue, definition: ResourceDefinition) -> String? {
        guard definition.group.isEmpty else { return nil }
        let field = definition.kind == "Secret" ? "data" : definition.kind == "ConfigMap" ? "binaryData" : nil
        guard let field, let values = object[field]?.objectValue else { return nil }
        for key in values.keys.sorted() {
            guard case .string(let text) = values[key] else { continue }
            if let at = GoBase64.firstError(Array(text.utf8)) { return "illegal base64 data at input byte \(at)" }
        }
        return nil
    }
}

/// Go's standard base64 decoding (`base64.StdEncoding`), for where its errors are reported.
enum GoBase64 {
    /// The input offset Go's decoder reports for `bytes`, or nil when they decode: characters of the
    /// standard alphabet in quanta of four, `=` padding only at the end, line breaks skipped.
    static func firstError(_ bytes: [UInt8]) -> Int? {
        let n = bytes.count
        var si = 0
        func skipBreaks() { while si < n, bytes[si] == 10 || bytes[si] == 13 { si += 1 } }
        while true {
            var j = 0
            while j < 4 {
                skipBreaks()
                if si == n { return j == 0 ? nil : si - j }
                let c = bytes[si]
                si += 1
                if c == UInt8(ascii: "=") {
                    guard j >= 2 else { return si - 1 }
                    if j == 2 {
                        skipBreaks()
                        guard si < n else { return n }
                        guard bytes[si] == UInt8(ascii: "=") else { return si - 1 }
                        si += 1
                    }
                    skipBreaks()
                    return si < n ? si : nil
                }
                guard isAlphabet(c) else { return si - 1 }
                j += 1
            }
        }
    }

    private static func isAlphabet(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 43 || c == 47
    }
}

/// Values as Go's `%#v` prints them in the validation messages that name a whole struct.
enum GoValues {
    /// `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`.
    static func labelSelector(_ selector: JSONValue) -> String {
        let labels = (selector["matchLabels"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
        let labelText = labels.isEmpty ? "map[string]string(nil)" : "map[string]string{" + labels.map { "\(quoted($0.key)):\(quoted($0.value.stringValue ?? ""))" }.joined(separator: ", ") + "}"
        let expressions = selector["matchExpressions"]?.arrayValue ?? []
        let expressionText = expressions.isEmpty ? "[]v1.LabelSelectorRequirement(nil)" : "[]v1.LabelSelectorRequirement{" + expressions.map { e in
            let values = e["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let valueText = values.isEmpty ? "[]string(nil)" : "[]string{" + values.map(quoted).joined(separator: ", ") + "}"
            return "v1.LabelSelectorRequirement{Key:\(quoted(e["key"]?.stringValue ?? "")), Operator:\(quoted(e["operator"]?.stringValue ?? "")), Values:\(valueText)}"
        }.joined(separator: ", ") + "}"
        return "v1.LabelSelector{MatchLabels:\(labelText), MatchExpressions:\(expressionText)}"
    }

    /// `rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"reader"}`.
    static func roleRef(_ ref: JSONValue) -> String {
        "rbac.RoleRef{APIGroup:\(quoted(ref["apiGroup"]?.stringValue ?? "")), Kind:\(quoted(ref["kind"]?.stringValue ?? "")), Name:\(quoted(ref["name"]?.stringValue ?? ""))}"
    }

    static func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
}
