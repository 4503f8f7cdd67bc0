import KubernetesAPI

/// The protobuf bodies kubectl sends for ServiceAccounts, the RBAC kinds, TokenRequest and the self
/// reviews (`kubectl create serviceaccount|role|rolebinding|token`, `kubectl auth can-i|whoami`).
enum SecurityProtobufKinds {
    /// Decodes the raw object of `kind`, or nil when the kind is not one of these.
    static func decode(kind: String, _ bytes: ArraySlice<UInt8>) throws -> [String: JSONValue]? {
        switch kind {
        case "ServiceAccount": return try serviceAccount(bytes)
        case "Role", "ClusterRole": return try role(bytes, kind: kind)
        case "RoleBinding", "ClusterRoleBinding": return try binding(bytes, kind: kind)
        case "TokenRequest": return try withSpec(bytes, kind: kind, spec: tokenRequestSpec)
        case "SelfSubjectAccessReview": return try withSpec(bytes, kind: kind, spec: accessReviewSpec)
        case "SelfSubjectRulesReview": return try withSpec(bytes, kind: kind) { try strings($0, context: "SelfSubjectRulesReviewSpec", names: [1: "namespace"]) }
        case "SelfSubjectReview": return try withSpec(bytes, kind: kind) { _ in [:] }
        default: return nil
        }
    }

    /// The kinds `decode` understands.
    static let kinds: Set<String> = [
        "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "TokenRequest", "SelfSubjectAccessReview",
        "SelfSubjectRulesReview", "SelfSubjectReview",
    ]

    /// Length-delimited fields as strings (scalars) by field number; repeated names (in `lists`) become arrays.
    private static func strings(_ bytes: ArraySlice<UInt8>, context: String, names: [UInt64: String], lists: Set<String> = []) throws -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        try ProtobufMessages.forEachField(bytes, context: context) { reader, number, wireType in
            guard let name = names[number] else { return false }
            try reader.expect(.lengthDelimited, actual: wireType, field: "\(context).\(name)")
            let value = try reader.readString(field: "\(context).\(name)")
            if lists.contains(name) {
                object[name] = .array((object[name]?.arrayValue ?? []) + [.string(value)])
            } else if !value.isEmpty {
                object[name] = .string(value)
            }
            return true
        }
        return object
    }

    /// metadata 1 and one embedded message at 2 (`spec`), its other fields (status) ignored.
    private static func withSpec(_ bytes: ArraySlice<UInt8>, kind: String, spec: (ArraySlice<UInt8>) throws -> [String: JSONValue]) throws -> [String: JSONValue] {
        var object: [String: JSONValue] = ["metadata": [:]]
        try ProtobufMessages.forEachField(bytes, context: kind) { reader, number, wireType in
            switch number {
            case 1: object["metadata"] = try ProtobufMessages.readObjectMeta(&reader, wireType)
            case 2 where kind != "SelfSubjectReview":
                try reader.expect(.lengthDelimited, actual: wireType, field: "spec")
                object["spec"] = .object(try spec(try reader.readLengthDelimited()))
            default: return false
            }
            return true
        }
        return object
    }

    /// `ServiceAccount`: metadata 1, secrets 2, imagePullSecrets 3, automountServiceAccountToken 4.
    private static func serviceAccount(_ bytes: ArraySlice<UInt8>) throws -> [String: JSONValue] {
        var object: [String: JSONValue] = ["metadata": [:]]
        var secrets: [JSONValue] = [], pullSecrets: [JSONValue] = []
        try ProtobufMessages.forEachField(bytes, context: "ServiceAccount") { reader, number, wireType in
            switch number {
            case 1: object["metadata"] = try ProtobufMessages.readObjectMeta(&reader, wireType)
            case 2:
                try reader.expect(.lengthDelimited, actual: wireType, field: "secrets")
                secrets.append(.object(try strings(try reader.readLengthDelimited(), context: "ObjectReference", names: [1: "kind", 2: "namespace", 3: "name", 4: "uid", 5: "apiVersion"])))
            case 3:
                try reader.expect(.lengthDelimited, actual: wireType, field: "imagePullSecrets")
                pullSecrets.append(.object(try strings(try reader.readLengthDelimited(), context: "LocalObjectReference", names: [1: "name"])))
            case 4: object["automountServiceAccountToken"] = try ProtobufMessages.bool(&reader, wireType, field: "automountServiceAccountToken")
            default: return false
            }
            return true
        }
        if !secrets.isEmpty { object["secrets"] = .array(secrets) }
        if !pullSecrets.isEmpty { object["imagePullSecrets"] = .array(pullSecrets) }
        return object
    }

    /// `Role`/`ClusterRole`: metadata 1, rules 2 (PolicyRule), aggregationRule 3 (ClusterRole).
    private static func role(_ bytes: ArraySlice<UInt8>, kind: String) throws -> [String: JSONValue] {
        var object: [String: JSONValue] = ["metadata": [:]]
        var rules: [JSONValue] = []
        try ProtobufMessages.forEachField(bytes, context: kind) { reader, number, wireType in
            switch number {
            case 1: object["metadata"] = try ProtobufMessages.readObjectMeta(&reader, wireType)
            case 2:
                try reader.expect(.lengthDelimited, actual: wireType, field: "rules")
                rules.append(.object(try strings(
                    try reader.readLengthDelimited(), context: "PolicyRule",
                    names: [1: "verbs", 2: "apiGroups", 3: "resources", 4: "resourceNames", 5: "nonResourceURLs"],
                    lists: ["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"])))
            case 3 where kind == "ClusterRole":
                try reader.expect(.lengthDelimited, actual: wireType, field: "aggregationRule")
                var selectors: [JSONValue] = []
                try ProtobufMessages.forEachField(try reader.readLengthDelimited(), context: "AggregationRule") { inner, field, type in
                    guard field == 1 else { return false }
                    try inner.expect(.lengthDelimited, actual: type, field: "clusterRoleSelectors")
                    selectors.append(try labelSelector(try inner.readLengthDelimited()))
                    return true
                }
                object["aggregationRule"] = ["clusterRoleSelectors": .array(selectors)]
            default: return false
            }
            return true
        }
        object["rules"] = .array(rules)
        return object
    }

    /// `LabelSelector`: matchLabels 1 (map), matchExpressions 2 {key 1, operator 2, values 3}.
    private static func labelSelector(_ bytes: ArraySlice<UInt8>) throws -> JSONValue {
        var labels: [String: JSONValue] = [:]
        var expressions: [JSONValue] = []
        try ProtobufMessages.forEachField(bytes, context: "LabelSelector") { reader, number, wireType in
            switch number {
            case 1: try ProtobufMessages.readStringMapEntry(&reader, wireType, field: "matchLabels", into: &labels)
            case 2:
                try reader.expect(.lengthDelimited, actual: wireType, field: "matchExpressions")
                expressions.append(.object(try strings(
                    try reader.readLengthDelimited(), context: "LabelSelectorRequirement", names: [1: "key", 2: "operator", 3: "values"], lists: ["values"])))
            default: return false
            }
            return true
        }
        var selector: [String: JSONValue] = [:]
        if !labels.isEmpty { selector["matchLabels"] = .object(labels) }
        if !expressions.isEmpty { selector["matchExpressions"] = .array(expressions) }
        return .object(selector)
    }

    /// `RoleBinding`/`ClusterRoleBinding`: metadata 1, subjects 2 {kind 1, apiGroup 2, name 3, namespace 4}, roleRef 3 {apiGroup 1, kind 2, name 3}.
    private static func binding(_ bytes: ArraySlice<UInt8>, kind: String) throws -> [String: JSONValue] {
        var object: [String: JSONValue] = ["metadata": [:]]
        var subjects: [JSONValue] = []
        try ProtobufMessages.forEachField(bytes, context: kind) { reader, number, wireType in
            switch number {
            case 1: object["metadata"] = try ProtobufMessages.readObjectMeta(&reader, wireType)
            case 2:
                try reader.expect(.lengthDelimited, actual: wireType, field: "subjects")
                subjects.append(.object(try strings(try reader.readLengthDelimited(), context: "Subject", names: [1: "kind", 2: "apiGroup", 3: "name", 4: "namespace"])))
            case 3:
                try reader.expect(.lengthDelimited, actual: wireType, field: "roleRef")
                object["roleRef"] = .object(try strings(try reader.readLengthDelimited(), context: "RoleRef", names: [1: "apiGroup", 2: "kind", 3: "name"]))
            default: return false
            }
            return true
        }
        if !subjects.isEmpty { object["subjects"] = .array(subjects) }
        return object
    }

    /// `TokenRequestSpec`: audiences 1 (repeated), boundObjectRef 3 {kind 1, apiVersion 2, name 3, uid 4}, expirationSeconds 4.
    private static func tokenRequestSpec(_ bytes: ArraySlice<UInt8>) throws -> [String: JSONValue] {
        var spec: [String: JSONValue] = [:]
        var audiences: [JSONValue] = []
        try ProtobufMessages.forEachField(bytes, context: "TokenRequestSpec") { reader, number, wireType in
            switch number {
            case 1:
                try reader.expect(.lengthDelimited, actual: wireType, field: "spec.audiences")
                audiences.append(.string(try reader.readString(field: "spec.audiences")))
            case 3:
                try reader.expect(.lengthDelimited, actual: wireType, field: "spec.boundObjectRef")
                spec["boundObjectRef"] = .object(try strings(
                    try reader.readLengthDelimited(), context: "BoundObjectReference", names: [1: "kind", 2: "apiVersion", 3: "name", 4: "uid"]))
            case 4: spec["expirationSeconds"] = .int(try ProtobufMessages.int64(&reader, wireType, field: "spec.expirationSeconds"))
            default: return false
            }
            return true
        }
        spec["audiences"] = .array(audiences)
        return spec
    }

    /// `SelfSubjectAccessReviewSpec`: resourceAttributes 1, nonResourceAttributes 2.
    private static func accessReviewSpec(_ bytes: ArraySlice<UInt8>) throws -> [String: JSONValue] {
        var spec: [String: JSONValue] = [:]
        try ProtobufMessages.forEachField(bytes, context: "SelfSubjectAccessReviewSpec") { reader, number, wireType in
            switch number {
            case 1:
                try reader.expect(.lengthDelimited, actual: wireType, field: "spec.resourceAttributes")
                spec["resourceAttributes"] = .object(try strings(
                    try reader.readLengthDelimited(), context: "ResourceAttributes",
                    names: [1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name"]))
            case 2:
                try reader.expect(.lengthDelimited, actual: wireType, field: "spec.nonResourceAttributes")
                spec["nonResourceAttributes"] = .object(try strings(try reader.readLengthDelimited(), context: "NonResourceAttributes", names: [1: "path", 2: "verb"]))
            default: return false
            }
            return true
        }
        return spec
    }
}
