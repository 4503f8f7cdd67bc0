import Foundation
import HTTPTypes
import Hummingbird
import KubernetesAPI

extension APIResponder {
    /// Who the request is, as kube-apiserver decides it: a verified TLS client certificate (when a client CA
    /// is configured), else a bearer token, as `Authorization: Bearer <token>` or, because kubectl (client-go)
    /// sends credentials only over TLS, as the path prefix `/token/<token>` of a plain-HTTP kubeconfig. A token
    /// is the control plane's own, one of the token file's, or a ServiceAccount token this server signed (for
    /// a ServiceAccount that still exists with the same uid). Every authenticated user is in
    /// `system:authenticated`. Credentials that are presented and wrong get 401. Requests without any may read
    /// only what kube-apiserver's `system:public-info-viewer` allows: `/healthz`, `/livez`, `/readyz` and `/version`.
    func authenticate(_ request: Request, context: Context, path: APIPath, urlToken: String?) async throws -> UserInfo? {
        guard authenticator.enabled else { return Authenticator.unauthenticated }
        if acceptsClientCertificates, let certificate = await context.verifiedClientCertificate(),
            let user = Authenticator.user(forClientCertificate: certificate)
        {
            return Self.authenticated(user)
        }
        if let token = urlToken ?? Authenticator.bearerToken(request.headers[.authorization]) {
            if let user = authenticator.user(forToken: token) { return Self.authenticated(user) }
            if ServiceAccountTokens.looksLikeJWT(token), let user = try await endpoints.authenticate(token: token, audiences: endpoints.tokens.audiences).user {
                return user
            }
            throw APIError.unauthorized()
        }
        if path == .health || path == .version { return nil }
        throw APIError.unauthorized()
    }

    /// The user with `system:authenticated` added, as kube-apiserver's authenticators add it.
    static func authenticated(_ user: UserInfo) -> UserInfo {
        var user = user
        if !user.groups.contains("system:authenticated") { user.groups.append("system:authenticated") }
        return user
    }

    /// The user the request acts as: `user` itself, or the one its `Impersonate-User`, `Impersonate-Group` and
    /// `Impersonate-Uid` headers name when `user` may `impersonate` each of them (403 otherwise).
    func impersonate(_ request: Request, as user: UserInfo) throws -> UserInfo {
        let name = request.headers[HTTPField.Name("Impersonate-User")!]
        let groups = request.headers[values: HTTPField.Name("Impersonate-Group")!]
        let uid = request.headers[HTTPField.Name("Impersonate-Uid")!]
        guard name != nil || !groups.isEmpty || uid != nil else { return user }
        guard let name, !name.isEmpty else {
            throw APIError.badRequest("requested impersonation of groups or a uid without impersonating a user")
        }
        func check(_ resource: String, _ target: String, group: String = "", namespace: String = "") throws {
            try authorizer.authorize(
                RequestAttributes(user: user, verb: "impersonate", namespace: namespace, apiGroup: group, resource: resource, name: target))
        }
        var impersonated = UserInfo(name: name, uid: uid ?? "", groups: groups)
        if let account = ServiceAccountNames.split(name) {
            try check("serviceaccounts", account.name, namespace: account.namespace)
            if groups.isEmpty { impersonated.groups = ["system:serviceaccounts", "system:serviceaccounts:\(account.namespace)"] }
        } else {
            try check("users", name)
        }
        for group in groups { try check("groups", group) }
        if let uid { try check("uids", uid, group: "authentication.k8s.io") }
        if name != "system:anonymous" && !impersonated.groups.contains(where: { $0 == "system:authenticated" || $0 == "system:unauthenticated" }) {
            impersonated.groups.append("system:authenticated")
        }
        return impersonated
    }

    /// Throws kube-apiserver's 403 when RBAC does not allow the request.
    func authorize(_ request: Request, path: APIPath, pathText: String, user: UserInfo) throws {
        if case .resource(let rp) = path {
            let verb = Authorizer.verb(method: request.method.rawValue, path: rp, watch: QueryParameters(request.uri.query).flag("watch"))
            try authorizer.authorize(RequestAttributes(user: user, verb: verb, path: rp))
        } else {
            try authorizer.authorize(RequestAttributes(user: user, verb: request.method.rawValue.lowercased(), nonResourcePath: pathText))
        }
    }

    /// TokenRequest and the self reviews: POST only, answered with 201 and nothing stored.
    func authenticationEndpoint(_ request: Request, _ rp: ResourcePath, user: UserInfo?) async throws -> Response {
        guard request.method == .post else { throw APIError.methodNotAllowed(request.method.rawValue) }
        var req = request
        let data = Data(buffer: try await req.collectBody(upTo: Self.maxBody))
        let body: JSONValue
        if KubernetesProtobuf.hasMagic(data) {
            do {
                body = try KubernetesProtobuf.decodeObject(data)
            } catch let e as ProtobufDecodingError {
                throw APIError.badRequest(String(describing: e))
            }
        } else {
            do {
                body = data.isEmpty ? [:] : try CompactJSON.decode(data)
            } catch {
                throw APIError.badRequest("couldn't get version/kind; json parse error: \(error)")
            }
        }
        let answer = try await endpoints.respond(rp, body: body, user: user ?? Authenticator.unauthenticated)
        return Self.json(answer, status: .created)
    }
}
