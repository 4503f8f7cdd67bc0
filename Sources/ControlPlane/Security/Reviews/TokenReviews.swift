import KubernetesAPI

/// TokenReview (`authentication.k8s.io/v1`): who a bearer token stands for, as kube-apiserver's token
/// authenticators decide it, for the audiences the review names (this server's when it names none).
extension AuthenticationEndpoints {
    /// What a token authenticates as: the user and the audiences it is valid for, or why it is not.
    struct TokenAuthentication: Sendable {
        /// The user, with `system:authenticated`; nil when the token does not authenticate.
        var user: UserInfo?
        /// The reviewed audiences the token is valid for.
        var audiences: [String] = []
        /// kube-apiserver's error for a token that looked like one of its kinds and failed.
        var error: String?
    }

    /// Answers a TokenReview. A token that does not authenticate is `authenticated: false`, not an error.
    func tokenReview(_ body: JSONValue, apiVersion: String) async throws -> JSONValue {
        let spec = body["spec"] ?? [:]
        guard let token = spec["token"]?.stringValue, !token.isEmpty else {
            throw APIError.badRequest("token is required for TokenReview in \(ReviewResource.authentication)")
        }
        let requested = spec["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let result = try await authenticate(token: token, audiences: requested.isEmpty ? tokens.audiences : requested)
        var status: [String: JSONValue] = ["authenticated": .bool(result.user != nil)]
        if let user = result.user {
            status["user"] = ["username": .string(user.name), "uid": .string(user.uid), "groups": .array(user.groups.map(JSONValue.string))]
            status["audiences"] = .array(result.audiences.map(JSONValue.string))
        }
        if let error = result.error { status["error"] = .string(error) }
        return ["kind": "TokenReview", "apiVersion": .string(apiVersion), "metadata": ["creationTimestamp": .null], "spec": spec, "status": .object(status)]
    }

    /// Who a bearer token stands for, for one of `audiences`. The control plane's own token and the token
    /// file's hold no audience of their own: they are valid for this server's audiences only. A
    /// ServiceAccount token must be signed here, unexpired, name one of `audiences`, and its ServiceAccount
    /// must still exist with the uid in the token.
    func authenticate(token: String, audiences: [String]) async throws -> TokenAuthentication {
        if let user = authenticator.user(forToken: token) {
            let valid = audiences.filter(tokens.audiences.contains)
            return valid.isEmpty ? TokenAuthentication() : TokenAuthentication(user: APIResponder.authenticated(user), audiences: valid)
        }
        guard ServiceAccountTokens.looksLikeJWT(token) else { return TokenAuthentication() }
        var verifier = tokens
        verifier.audiences = audiences
        guard let claims = verifier.verify(token, now: handler.now()) else {
            return TokenAuthentication(error: "invalid bearer token, the token is not signed by this server, has expired or names none of the audiences \(audiences)")
        }
        let key = StorageKey(resource: "serviceaccounts", namespace: claims.namespace, name: claims.name)
        guard let account = try await handler.store.get(key), account.object.value(at: ["metadata", "deletionTimestamp"]) == nil else {
            return TokenAuthentication(error: "invalid bearer token, serviceaccounts \"\(claims.name)\" not found")
        }
        let uid = account.object.value(at: ["metadata", "uid"])?.stringValue ?? ""
        guard uid == claims.uid else {
            return TokenAuthentication(error: "invalid bearer token, service account UID (\(uid)) does not match claim (\(claims.uid))")
        }
        let user = UserInfo(
            name: ServiceAccountNames.userName(namespace: claims.namespace, name: claims.name), uid: claims.uid,
            groups: ServiceAccountNames.groups(namespace: claims.namespace))
        return TokenAuthentication(user: user, audiences: audiences.filter(claims.audiences.contains))
    }
}
