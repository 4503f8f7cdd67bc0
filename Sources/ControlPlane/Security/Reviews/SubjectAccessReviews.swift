import KubernetesAPI

/// SubjectAccessReview and LocalSubjectAccessReview (`authorization.k8s.io/v1`): whether a given user and
/// groups may do something, answered by the same RBAC authorizer that guards every request, with
/// kube-apiserver's validation. The reviewed user's groups are exactly `spec.groups` (nothing is added).
extension AuthenticationEndpoints {
    /// Answers a SubjectAccessReview, or a LocalSubjectAccessReview posted into `namespace`.
    func subjectAccessReview(_ body: JSONValue, namespace: String?, apiVersion: String) throws -> JSONValue {
        let kind = namespace == nil ? "SubjectAccessReview" : "LocalSubjectAccessReview"
        let spec = body["spec"] ?? [:]
        var metadata = body["metadata"]?.objectValue ?? [:]
        var causes: [FieldError] = []
        if let namespace {
            // As kube-apiserver's create handler: the object's namespace is the request's, or must equal it.
            let given = metadata["namespace"]?.stringValue ?? ""
            if !given.isEmpty && given != namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            metadata["namespace"] = .string(namespace)
            if let attributes = Self.present(spec["resourceAttributes"]), (attributes["namespace"]?.stringValue ?? "") != namespace {
                causes.append(.invalid("spec.resourceAttributes.namespace", value: attributes["namespace"] ?? "", "must match metadata.namespace"))
            }
            if let attributes = Self.present(spec["nonResourceAttributes"]) {
                causes.append(FieldError(field: "spec.nonResourceAttributes", reason: .invalid, message: "Invalid value: \(Self.goValue(attributes)): disallowed on this kind of request"))
            }
        }
        let user = spec["user"]?.stringValue ?? ""
        let groups = spec["groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if user.isEmpty && groups.isEmpty {
            causes.append(.invalid("spec.user", value: .string(user), "at least one of user or group must be specified"))
        }
        let ignored: Set<String> = namespace == nil ? ["managedFields"] : ["managedFields", "namespace"]
        if metadata.contains(where: { !ignored.contains($0.key) && !Self.isEmpty($0.value) }) {
            causes.append(.invalid("metadata", value: body["metadata"] ?? [:], namespace == nil ? "must be empty" : "must be empty except for namespace"))
        }
        let subject = UserInfo(name: user, uid: spec["uid"]?.stringValue ?? "", groups: groups)
        let request = try Self.reviewedRequest(spec, user: subject, kind: kind, causes: causes)
        metadata["creationTimestamp"] = .null
        return ["kind": .string(kind), "apiVersion": .string(apiVersion), "metadata": .object(metadata), "spec": spec, "status": decision(request)]
    }

    /// The request an access review's spec describes for `user`: its `resourceAttributes` or its
    /// `nonResourceAttributes`, exactly one of them. Throws kube-apiserver's 422 for `kind` with these and
    /// any other `causes`.
    static func reviewedRequest(_ spec: JSONValue, user: UserInfo, kind: String, causes: [FieldError]) throws -> RequestAttributes {
        let resource = present(spec["resourceAttributes"]), nonResource = present(spec["nonResourceAttributes"])
        var problems: [FieldError] = []
        if resource != nil, let nonResource {
            problems.append(FieldError(
                field: "spec.nonResourceAttributes", reason: .invalid,
                message: "Invalid value: \(goValue(nonResource)): cannot be specified in combination with resourceAttributes"))
        }
        if resource == nil && nonResource == nil {
            problems.append(.invalid("spec.resourceAttributes", value: "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified"))
        }
        problems += causes
        guard problems.isEmpty else { throw APIError.invalid(kind: kind, group: ReviewResource.authorization, name: "", causes: problems) }
        if let attributes = resource {
            func field(_ key: String) -> String { attributes[key]?.stringValue ?? "" }
            return RequestAttributes(
                user: user, verb: field("verb"), namespace: field("namespace"), apiGroup: field("group"), resource: field("resource"),
                subresource: field("subresource"), name: field("name"))
        }
        return RequestAttributes(user: user, verb: nonResource?["verb"]?.stringValue ?? "", nonResourcePath: nonResource?["path"]?.stringValue ?? "")
    }

    /// An access review's status: `allowed`, and kube-apiserver's reason when RBAC has one.
    func decision(_ request: RequestAttributes) -> JSONValue {
        let (allowed, reason) = authorizer.decide(request)
        var status: [String: JSONValue] = ["allowed": .bool(allowed)]
        if !reason.isEmpty { status["reason"] = .string(reason) }
        return .object(status)
    }

    /// The value unless it is absent or null.
    private static func present(_ value: JSONValue?) -> JSONValue? {
        guard let value, value != .null else { return nil }
        return value
    }

    /// True for null, "", {} and [] (Go's zero values).
    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .object(let o): return o.isEmpty
        case .array(let a): return a.isEmpty
        default: return false
        }
    }

    /// NonResourceAttributes as Go's `%#v` shows them in kube-apiserver's messages.
    private static func goValue(_ attributes: JSONValue) -> String {
        let path = attributes["path"]?.stringValue ?? "", verb = attributes["verb"]?.stringValue ?? ""
        return "authorization.NonResourceAttributes{Path:\(FieldError.renderValue(.string(path))), Verb:\(FieldError.renderValue(.string(verb)))}"
    }
}
