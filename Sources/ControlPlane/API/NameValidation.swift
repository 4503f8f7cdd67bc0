import KubernetesAPI

/// Object name rules kube-apiserver applies, with its exact messages.
enum NameValidation {
    enum Rule: Sendable {
        /// RFC 1123 subdomain: most kinds and all custom resources.
        case subdomain
        /// RFC 1123 label: namespaces.
        case label
        /// RFC 1035 label: services.
        case dns1035
        /// Any path segment: the RBAC kinds (`system:basic-user`).
        case pathSegment
    }

    static func rule(for definition: ResourceDefinition) -> Rule {
        switch (definition.group, definition.plural) {
        case ("", "namespaces"): return .label
        case ("", "services"): return .dns1035
        case (BuiltinResources.rbacGroup, _): return .pathSegment
        default: return .subdomain
        }
    }

    /// The problems with `name` under `rule`, as messages (without the field prefix).
    static func problems(_ name: String, rule: Rule) -> [String] {
        var out: [String] = []
        let bytes = Array(name.utf8)
        func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        func alpha(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }
        func validLabel(_ l: ArraySlice<UInt8>, firstAlpha: Bool) -> Bool {
            guard let f = l.first, let e = l.last else { return false }
            guard firstAlpha ? alpha(f) : alnum(f), alnum(e) else { return false }
            return l.allSatisfy { alnum($0) || $0 == 45 }
        }
        switch rule {
        case .pathSegment:
            if name == "." || name == ".." { out.append("may not be '\(name)'") }
            for c in ["/", "%"] where name.contains(c) { out.append("may not contain '\(c)'") }
        case .subdomain:
            if bytes.count > 253 { out.append("must be no more than 253 characters") }
            let labels = bytes.split(separator: 46, omittingEmptySubsequences: false)
            if bytes.isEmpty || !labels.allSatisfy({ validLabel($0, firstAlpha: false) }) {
                out.append(
                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
                )
            }
        case .label:
            if bytes.count > 63 { out.append("must be no more than 63 characters") }
            if !validLabel(bytes[...], firstAlpha: false) {
                out.append(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
                )
            }
        case .dns1035:
            if bytes.count > 63 { out.append("must be no more than 63 characters") }
            if !validLabel(bytes[...], firstAlpha: true) {
                out.append(
                    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
                )
            }
        }
        return out
    }

    /// Field errors for `metadata.name`.
    static func validate(_ name: String, for definition: ResourceDefinition) -> [FieldError] {
        problems(name, rule: rule(for: definition)).map { FieldError.invalid("metadata.name", value: .string(name), $0) }
    }

    /// A random suffix for `generateName`, from kube's alphabet without vowels.
    static func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}
