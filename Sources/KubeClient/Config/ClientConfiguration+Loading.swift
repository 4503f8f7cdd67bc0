import Foundation
import KubernetesAPI

extension ClientConfiguration {
    /// Loads configuration the way controller-runtime does:
    /// 1. `kubeconfigPath` (`--kubeconfig`), which must exist;
    /// 2. else the `KUBECONFIG` colon-separated list, merged (missing files skipped);
    /// 3. else the in-cluster service account (`KUBERNETES_SERVICE_HOST`/`_PORT`);
    /// 4. else `~/.kube/config`.
    ///
    /// `context` overrides the kubeconfig's `current-context` (`--context`).
    public static func load(kubeconfigPath: String? = nil, context: String? = nil, environment: ConfigEnvironment = .process) throws -> ClientConfiguration {
        if let path = kubeconfigPath, !path.isEmpty {
            return try fromKubeconfig(paths: [path], required: true, context: context)
        }
        if let list = environment.variables["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            return try fromKubeconfig(paths: paths, required: false, context: context)
        }
        if environment.variables["KUBERNETES_SERVICE_HOST"] != nil {
            return try inCluster(environment: environment)
        }
        if let home = environment.homeDirectory {
            let path = URL(fileURLWithPath: home).appendingPathComponent(".kube/config").path
            if FileManager.default.fileExists(atPath: path) {
                return try fromKubeconfig(paths: [path], required: true, context: context)
            }
        }
        throw KubeConfigError(.noConfiguration, "no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG, run in a pod with a service account, or create ~/.kube/config")
    }

    /// Loads and merges kubeconfig files, then resolves the context.
    public static func fromKubeconfig(paths: [String], required: Bool = true, context: String? = nil) throws -> ClientConfiguration {
        let merged = try MergedKubeConfig.load(paths: paths, required: required)
        if merged.files.isEmpty {
            throw KubeConfigError(.noConfiguration, "none of the kubeconfig files exist (\(paths.joined(separator: ", "))); fix KUBECONFIG or pass --kubeconfig")
        }
        return try merged.clientConfiguration(context: context)
    }

    /// Resolves a kubeconfig held in memory (a Secret's `kubeconfig` key, say). Relative file
    /// references resolve against `baseDirectory` (the working directory by default); `source`
    /// names the kubeconfig in errors.
    public static func fromKubeconfig(
        text: String, context: String? = nil, source: String = "inline kubeconfig",
        baseDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> ClientConfiguration {
        var merged = MergedKubeConfig()
        merged.merge(try KubeConfigFile.parse(text, source: source), from: URL(fileURLWithPath: baseDirectory).appendingPathComponent("kubeconfig").path)
        merged.files = [source]
        return try merged.clientConfiguration(context: context)
    }

    /// The in-cluster configuration: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`,
    /// the service-account token (re-read every minute), its `ca.crt` and `namespace`.
    /// An unreadable CA is not fatal (the system roots are used); it never turns verification off.
    public static func inCluster(environment: ConfigEnvironment = .process) throws -> ClientConfiguration {
        guard let host = environment.variables["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment.variables["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeConfigError(.notInCluster, "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set")
        }
        let dir = URL(fileURLWithPath: environment.serviceAccountDirectory)
        let tokenPath = dir.appendingPathComponent("token").path
        let source = FileTokenSource(path: tokenPath)
        _ = try source.token()  // fail now, with a clear message, if the token is unreadable
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let url = URL(string: "https://\(hostPart):\(port)") else {
            throw KubeConfigError(.invalidServer, "in-cluster server https://\(hostPart):\(port) is not a valid URL; check KUBERNETES_SERVICE_HOST/PORT")
        }
        let ca = FileManager.default.contents(atPath: dir.appendingPathComponent("ca.crt").path)
        let ns = (try? String(contentsOfFile: dir.appendingPathComponent("namespace").path, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return ClientConfiguration(
            server: url, tls: TLSSettings(caPEM: ca), credentials: .tokenFile(source),
            namespace: (ns?.isEmpty ?? true) ? "default" : ns!, source: "in-cluster")
    }
}

extension MergedKubeConfig {
    /// Resolves a context (the given one, else `current-context`) into a client configuration,
    /// validating it the way client-go does.
    public func clientConfiguration(context requested: String? = nil) throws -> ClientConfiguration {
        let where_ = files.joined(separator: ", ")
        guard let contextName = (requested?.isEmpty == false ? requested : currentContext), !contextName.isEmpty else {
            throw KubeConfigError(.noCurrentContext, "no current-context is set in \(where_); pass --context or run `kubectl config use-context NAME`")
        }
        guard let ctx = contexts[contextName] else {
            let known = contexts.keys.sorted().joined(separator: ", ")
            throw KubeConfigError(.contextNotFound, "context \"\(contextName)\" is not defined in \(where_) (known contexts: \(known.isEmpty ? "none" : known))")
        }
        guard let cluster = clusters[ctx.cluster] else {
            throw KubeConfigError(.clusterNotFound, "context \"\(contextName)\" names cluster \"\(ctx.cluster)\", which is not defined in \(where_)")
        }
        var user = UserEntry()
        if let userName = ctx.user, !userName.isEmpty {
            guard let u = users[userName] else {
                throw KubeConfigError(.userNotFound, "context \"\(contextName)\" names user \"\(userName)\", which is not defined in \(where_)")
            }
            user = u
        }
        let source = "kubeconfig \(where_) (context \(contextName))"
        let server = try Self.serverURL(cluster, name: ctx.cluster)
        var configuration = ClientConfiguration(
            server: server,
            tls: try Self.tls(cluster: cluster, clusterName: ctx.cluster, user: user, userName: ctx.user ?? ""),
            credentials: try Self.credentials(user, name: ctx.user ?? "", cluster: cluster),
            namespace: (ctx.namespace?.isEmpty ?? true) ? "default" : ctx.namespace!, source: source)
        configuration.alternateServers = try Self.alternateServers(cluster, name: ctx.cluster, server: server)
        return configuration
    }

    static func serverURL(_ c: ClusterEntry, name: String) throws -> URL {
        guard let s = c.server, !s.isEmpty else {
            throw KubeConfigError(.invalidServer, "cluster \"\(name)\" has no server; set clusters[].cluster.server to https://HOST:PORT")
        }
        guard let url = URL(string: s), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", url.host != nil else {
            let shown = URL(string: s).map { ClientConfiguration.redact($0) } ?? "(unparseable)"
            throw KubeConfigError(.invalidServer, "cluster \"\(name)\" has server \"\(shown)\", which is not an http(s) URL; use https://HOST:PORT")
        }
        if c.proxyURL?.isEmpty == false {
            throw KubeConfigError(.unsupported, "cluster \"\(name)\" sets proxy-url, which Concord does not support yet; remove it or reach the server directly")
        }
        return url
    }

    static func tls(cluster c: ClusterEntry, clusterName: String, user u: UserEntry, userName: String) throws -> TLSSettings {
        let ca = try material(data: c.certificateAuthorityData, file: c.certificateAuthority, field: "certificate-authority", entry: "cluster \"\(clusterName)\"")
        let insecure = c.insecureSkipTLSVerify ?? false
        if insecure && ca != nil {
            throw KubeConfigError(.conflictingTLS, "cluster \"\(clusterName)\" sets both a certificate authority and insecure-skip-tls-verify; remove one of them")
        }
        let cert = try material(data: u.clientCertificateData, file: u.clientCertificate, field: "client-certificate", entry: "user \"\(userName)\"")
        let key = try material(data: u.clientKeyData, file: u.clientKey, field: "client-key", entry: "user \"\(userName)\"")
        if (cert == nil) != (key == nil) {
            throw KubeConfigError(.incompleteCertificate, "user \"\(userName)\" has a client \(cert == nil ? "key without a certificate" : "certificate without a key"); set both client-certificate(-data) and client-key(-data)")
        }
        return TLSSettings(caPEM: ca, insecureSkipVerify: insecure, serverName: (c.tlsServerName?.isEmpty ?? true) ? nil : c.tlsServerName, clientCertificatePEM: cert, clientKeyPEM: key)
    }

    static func credentials(_ u: UserEntry, name: String, cluster: ClusterEntry = ClusterEntry()) throws -> Credentials {
        let token = (u.token?.isEmpty ?? true) ? nil : u.token
        let hasBasic = !(u.username?.isEmpty ?? true) || !(u.password?.isEmpty ?? true)
        if let exec = u.exec, !exec.isNull {
            if token != nil || !(u.tokenFile?.isEmpty ?? true) || hasBasic {
                throw KubeConfigError(.conflictingAuth, "user \"\(name)\" sets both an exec plugin and a token or basic auth; keep only one")
            }
            let config = try ExecConfig.parse(exec, user: name)
            let ca = try material(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, field: "certificate-authority", entry: "cluster")
            let info = ExecClusterInfo(
                server: cluster.server ?? "", tlsServerName: cluster.tlsServerName, insecureSkipTLSVerify: cluster.insecureSkipTLSVerify,
                certificateAuthorityData: ca?.base64EncodedString(), proxyURL: cluster.proxyURL, config: cluster.execExtension)
            return .exec(ExecCredentialProvider(config: config, cluster: info, user: name))
        }
        if (token != nil || !(u.tokenFile?.isEmpty ?? true)) && hasBasic {
            throw KubeConfigError(.conflictingAuth, "user \"\(name)\" sets both a token and basic auth (username/password); keep only one")
        }
        if let file = u.tokenFile, !file.isEmpty {
            return .tokenFile(FileTokenSource(path: file, fallback: token))
        }
        if let token { return .bearer(token) }
        if hasBasic { return .basic(username: u.username ?? "", password: u.password ?? "") }
        return .none
    }

    /// `*-data` (base64) wins over the file.
    static func material(data: String?, file: String?, field: String, entry: String) throws -> Data? {
        if let data, !data.isEmpty {
            let cleaned = data.filter { !$0.isWhitespace }
            guard let d = Data(base64Encoded: cleaned) else {
                throw KubeConfigError(.invalidData, "\(entry) has \(field)-data that is not valid base64; re-encode it with `base64 -w0`")
            }
            return d
        }
        guard let file, !file.isEmpty else { return nil }
        guard let d = FileManager.default.contents(atPath: file) else {
            throw KubeConfigError(.unreadable, "\(entry) names \(field) file \(file), which cannot be read; fix the path (relative paths are resolved against the kubeconfig's directory)")
        }
        return d
    }
}
