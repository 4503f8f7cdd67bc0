import Foundation
import KubeClient
import KubernetesAPI
import Testing

private func env(_ vars: [String: String] = [:], home: String? = nil, sa: String = "/nonexistent-sa") -> ConfigEnvironment {
    ConfigEnvironment(variables: vars, homeDirectory: home, serviceAccountDirectory: sa)
}

private func expectConfigError(_ code: KubeConfigError.Code, mentioning words: [String] = [], _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected KubeConfigError \(code)")
    } catch let e as KubeConfigError {
        #expect(e.code == code, "\(e)")
        for w in words { #expect(e.message.contains(w), "message \"\(e.message)\" should mention \(w)") }
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

struct KubeConfigLoadingTests {
    @Test func explicitPathWinsOverKubeconfigVariableAndInCluster() throws {
        let dir = try TempDirectory()
        let a = try dir.write("a.yaml", kubeconfig(server: "https://a.example:6443"))
        let b = try dir.write("b.yaml", kubeconfig(server: "https://b.example:6443"))
        let c = try ClientConfiguration.load(kubeconfigPath: a, environment: env(["KUBECONFIG": b, "KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"]))
        #expect(c.server.absoluteString == "https://a.example:6443")
    }

    @Test func explicitPathThatDoesNotExistIsAnError() {
        expectConfigError(.fileNotFound, mentioning: ["/no/such/kubeconfig", "--kubeconfig"]) {
            _ = try ClientConfiguration.load(kubeconfigPath: "/no/such/kubeconfig", environment: env())
        }
    }

    @Test func kubeconfigListMergesFirstDefinitionWins() throws {
        let dir = try TempDirectory()
        // First file: defines cluster "c" and context "one" but no current-context.
        let first = try dir.write("first.yaml", kubeconfig(cluster: "c", server: "https://first:1", user: "u1", context: "one", current: nil))
        // Second file: redefines "c" (ignored), adds user u2 and context "two", sets current-context two.
        let second = try dir.write("second.yaml", """
        clusters:
        - name: c
          cluster:
            server: https://second:2
        users:
        - name: u2
          user:
            token: second-token
        contexts:
        - name: two
          context:
            cluster: c
            user: u2
            namespace: team
        current-context: two
        """)
        let third = try dir.write("third.yaml", kubeconfig(cluster: "z", server: "https://third:3", context: "three", current: "three"))
        let list = [first, "/missing/file", second, first, third].joined(separator: ":")
        let merged = try MergedKubeConfig.load(paths: list.split(separator: ":").map(String.init), required: false)
        #expect(merged.files == [first, second, third])
        #expect(merged.currentContext == "two")
        let c = try ClientConfiguration.load(environment: env(["KUBECONFIG": list]))
        #expect(c.server.absoluteString == "https://first:1")
        #expect(c.namespace == "team")
        #expect(try c.credentials.authorizationHeader() == "Bearer second-token")
    }

    @Test func kubeconfigListWithOnlyMissingFilesIsAnError() {
        expectConfigError(.noConfiguration, mentioning: ["KUBECONFIG"]) {
            _ = try ClientConfiguration.load(environment: env(["KUBECONFIG": "/missing/a:/missing/b"]))
        }
    }

    @Test func relativePathsResolveAgainstTheirOwnFile() throws {
        let dir = try TempDirectory()
        try dir.write("certs/ca.pem", "CA-BYTES")
        try dir.write("sub/token.txt", "file-token\n")
        let path = try dir.write("sub/config", kubeconfig(clusterExtra: "    certificate-authority: ../certs/ca.pem\n", userExtra: "  user:\n    tokenFile: token.txt\n"))
        let c = try ClientConfiguration.load(kubeconfigPath: path, environment: env())
        #expect(c.tls.caPEM == Data("CA-BYTES".utf8))
        #expect(try c.credentials.authorizationHeader() == "Bearer file-token")
    }

    @Test func dataFieldsOverrideFiles() throws {
        let dir = try TempDirectory()
        try dir.write("ca.pem", "FROM-FILE")
        let data = Data("FROM-DATA".utf8).base64EncodedString()
        let cert = Data("CERT".utf8).base64EncodedString()
        let key = Data("KEY".utf8).base64EncodedString()
        let path = try dir.write("config", kubeconfig(
            clusterExtra: "    certificate-authority: ca.pem\n    certificate-authority-data: \(data)\n    tls-server-name: api.internal\n",
            userExtra: "  user:\n    client-certificate: /nope/cert.pem\n    client-certificate-data: \(cert)\n    client-key-data: \(key)\n"))
        let c = try ClientConfiguration.load(kubeconfigPath: path, environment: env())
        #expect(c.tls.caPEM == Data("FROM-DATA".utf8))
        #expect(c.tls.clientCertificatePEM == Data("CERT".utf8))
        #expect(c.tls.clientKeyPEM == Data("KEY".utf8))
        #expect(c.tls.serverName == "api.internal")
        #expect(try c.credentials.authorizationHeader() == nil)
    }

    @Test func inClusterIsUsedWithoutKubeconfigVariable() throws {
        let dir = try TempDirectory()
        try dir.write("sa/token", "sa-token\n")
        try dir.write("sa/ca.crt", "SA-CA")
        try dir.write("sa/namespace", "concord-system")
        let home = try TempDirectory()
        try home.write(".kube/config", kubeconfig(server: "https://home:1"))
        let c = try ClientConfiguration.load(environment: env(["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], home: home.path, sa: dir.path + "/sa"))
        #expect(c.server.absoluteString == "https://10.96.0.1:443")
        #expect(c.namespace == "concord-system")
        #expect(c.tls.caPEM == Data("SA-CA".utf8))
        #expect(c.tls.insecureSkipVerify == false)
        #expect(try c.credentials.authorizationHeader() == "Bearer sa-token")
        #expect(c.source == "in-cluster")
    }

    @Test func inClusterTokenComesFromTheInjectedDirectoryAndIsReReadEveryMinute() throws {
        let dir = try TempDirectory()
        try dir.write("token", "first")
        let c = try ClientConfiguration.inCluster(environment: env(["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], sa: dir.path))
        guard case .tokenFile(let source) = c.credentials else {
            Issue.record("expected a token file, got \(c.credentials)")
            return
        }
        #expect(source.path == dir.path + "/token")
        #expect(source.refreshInterval == .seconds(60))
        #expect(c.tls.caPEM == nil && c.tls.insecureSkipVerify == false, "a missing ca.crt never turns verification off")
    }

    @Test func inClusterIPv6HostIsBracketed() throws {
        let dir = try TempDirectory()
        try dir.write("token", "t")
        let c = try ClientConfiguration.inCluster(environment: env(["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"], sa: dir.path))
        #expect(c.server.absoluteString == "https://[fd00::1]:443")
        #expect(c.tls.caPEM == nil)
        #expect(c.namespace == "default")
    }

    @Test func inClusterWithoutTokenIsAnError() {
        expectConfigError(.invalidCredentials, mentioning: ["token"]) {
            _ = try ClientConfiguration.inCluster(environment: env(["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"], sa: "/nonexistent-sa"))
        }
    }

    @Test func homeConfigIsTheLastResort() throws {
        let home = try TempDirectory()
        try home.write(".kube/config", kubeconfig(server: "https://home:1"))
        let c = try ClientConfiguration.load(environment: env(home: home.path))
        #expect(c.server.absoluteString == "https://home:1")
    }

    @Test func nothingConfiguredIsAnError() throws {
        let home = try TempDirectory()
        expectConfigError(.noConfiguration, mentioning: ["--kubeconfig", "KUBECONFIG"]) {
            _ = try ClientConfiguration.load(environment: env(home: home.path))
        }
    }

    @Test func contextOverrideSelectsAnotherContext() throws {
        let dir = try TempDirectory()
        let a = try dir.write("a", kubeconfig(cluster: "ca", server: "https://a:1", context: "a", current: "a"))
        let b = try dir.write("b", kubeconfig(cluster: "cb", server: "https://b:1", user: "ub", context: "b", current: nil, namespace: "nb"))
        let c = try ClientConfiguration.load(context: "b", environment: env(["KUBECONFIG": "\(a):\(b)"]))
        #expect(c.server.absoluteString == "https://b:1")
        #expect(c.namespace == "nb")
    }

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        var context: String?
        var code: KubeConfigError.Code
        var mentions: [String]
        var testDescription: String { name }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(name: "no current context", yaml: kubeconfig(current: nil), code: .noCurrentContext, mentions: ["--context"]),
        ErrorCase(name: "unknown context", yaml: kubeconfig(), context: "nope", code: .contextNotFound, mentions: ["nope", "ctx"]),
        ErrorCase(name: "context names a missing cluster", yaml: "clusters: []\nusers: []\ncontexts:\n- name: x\n  context:\n    cluster: gone\ncurrent-context: x\n", code: .clusterNotFound, mentions: ["gone"]),
        ErrorCase(name: "context names a missing user", yaml: "clusters:\n- name: c\n  cluster:\n    server: https://a:1\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: ghost\ncurrent-context: x\n", code: .userNotFound, mentions: ["ghost"]),
        ErrorCase(name: "server missing", yaml: kubeconfig(server: "\"\""), code: .invalidServer, mentions: ["server"]),
        ErrorCase(name: "server not a URL", yaml: kubeconfig(server: "ftp://x"), code: .invalidServer, mentions: ["ftp://x"]),
        ErrorCase(name: "CA with insecure-skip-tls-verify", yaml: kubeconfig(clusterExtra: "    insecure-skip-tls-verify: true\n    certificate-authority-data: \(Data("x".utf8).base64EncodedString())\n"), code: .conflictingTLS, mentions: ["insecure-skip-tls-verify"]),
        ErrorCase(name: "invalid base64", yaml: kubeconfig(clusterExtra: "    certificate-authority-data: '%%%'\n"), code: .invalidData, mentions: ["certificate-authority-data"]),
        ErrorCase(name: "certificate without key", yaml: kubeconfig(userExtra: "  user:\n    client-certificate-data: \(Data("c".utf8).base64EncodedString())\n"), code: .incompleteCertificate, mentions: ["client-key"]),
        ErrorCase(name: "token and basic auth", yaml: kubeconfig(userExtra: "  user:\n    token: secret-token-value\n    username: admin\n    password: pw\n"), code: .conflictingAuth, mentions: ["basic auth"]),
        ErrorCase(name: "exec plugin v1 without interactiveMode", yaml: kubeconfig(userExtra: "  user:\n    exec:\n      command: aws\n      apiVersion: client.authentication.k8s.io/v1\n"), code: .invalidCredentials, mentions: ["interactiveMode", "aws"]),
        ErrorCase(name: "exec plugin with an unknown apiVersion", yaml: kubeconfig(userExtra: "  user:\n    exec:\n      command: aws\n      apiVersion: client.authentication.k8s.io/v1alpha1\n"), code: .unsupported, mentions: ["v1alpha1", "aws"]),
        ErrorCase(name: "exec plugin together with a token", yaml: kubeconfig(userExtra: "  user:\n    token: abc\n    exec:\n      command: aws\n      apiVersion: client.authentication.k8s.io/v1\n      interactiveMode: Never\n"), code: .conflictingAuth, mentions: ["exec"]),
        ErrorCase(name: "missing CA file", yaml: kubeconfig(clusterExtra: "    certificate-authority: nope/ca.pem\n"), code: .unreadable, mentions: ["nope/ca.pem"]),
        ErrorCase(name: "malformed YAML", yaml: "clusters: [unclosed\n", code: .malformed, mentions: ["not valid"]),
    ]

    @Test(arguments: errorCases)
    func invalidConfigurationSaysWhatToFix(_ c: ErrorCase) throws {
        let dir = try TempDirectory()
        let path = try dir.write("config", c.yaml)
        expectConfigError(c.code, mentioning: c.mentions) {
            _ = try ClientConfiguration.load(kubeconfigPath: path, context: c.context, environment: env())
        }
    }

    @Test func errorsAndDescriptionsNeverContainTheToken() throws {
        let dir = try TempDirectory()
        let path = try dir.write("config", kubeconfig(userExtra: "  user:\n    token: secret-token-value\n    username: admin\n"))
        do {
            _ = try ClientConfiguration.load(kubeconfigPath: path, environment: env())
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("secret-token-value"))
        }
        let ok = try dir.write("ok", kubeconfig(userExtra: "  user:\n    token: secret-token-value\n"))
        let c = try ClientConfiguration.load(kubeconfigPath: ok, environment: env())
        #expect(!c.credentials.description.contains("secret-token-value"))
    }

    @Test(arguments: [
        ("http://127.0.0.1:43135/token/9c66770e1ba5", "http://127.0.0.1:43135/…"),
        ("https://admin:pw@api.example:6443", "https://api.example:6443"),
        ("https://api.example:6443/", "https://api.example:6443"),
        ("https://10.0.0.1:443", "https://10.0.0.1:443"),
    ])
    func displayServerNeverShowsCredentialsInTheURL(_ server: String, _ shown: String) throws {
        let c = ClientConfiguration(server: try #require(URL(string: server)))
        #expect(c.displayServer == shown)
    }

    @Test func inMemoryKubeconfigResolvesLikeAFile() throws {
        let dir = try TempDirectory()
        try dir.write("ca.pem", "CA")
        let c = try ClientConfiguration.fromKubeconfig(
            text: kubeconfig(server: "https://member:6443", namespace: "edge", clusterExtra: "    certificate-authority: ca.pem\n"),
            source: "secret concord-system/dc-eu", baseDirectory: dir.path)
        #expect(c.server.absoluteString == "https://member:6443")
        #expect(c.namespace == "edge")
        #expect(c.tls.caPEM == Data("CA".utf8))
        #expect(c.source.contains("secret concord-system/dc-eu"))
        expectConfigError(.noCurrentContext, mentioning: ["secret concord-system/dc-eu"]) {
            _ = try ClientConfiguration.fromKubeconfig(text: kubeconfig(current: nil), source: "secret concord-system/dc-eu")
        }
    }

    @Test func tokenFileIsReReadAfterTheRefreshInterval() throws {
        let dir = try TempDirectory()
        let path = try dir.write("token", "one")
        let clock = ContinuousClock()
        let base = clock.now
        let offset = OffsetBox()
        let source = FileTokenSource(path: path, refreshInterval: .seconds(60), now: { base.advanced(by: offset.value) })
        #expect(try source.token() == "one")
        try dir.write("token", "two")
        offset.value = .seconds(59)
        #expect(try source.token() == "one")
        offset.value = .seconds(61)
        #expect(try source.token() == "two")
        try FileManager.default.removeItem(atPath: path)
        offset.value = .seconds(200)
        #expect(try source.token() == "two", "the last good token is kept when a re-read fails")
    }
}

/// A mutable duration shared with a `@Sendable` closure.
final class OffsetBox: @unchecked Sendable {
    // Safe: tests mutate and read it from one task only, never concurrently.
    var value: Duration = .zero
}
