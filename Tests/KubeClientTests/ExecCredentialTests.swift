import ConcordTesting
import Foundation
import KubeClient
import KubernetesAPI
import Synchronization
import Testing

/// A credential plugin written as a shell script: it counts its runs in `count`, records its
/// arguments, `GREETING` and `KUBERNETES_EXEC_INFO`, and prints the token for its run number
/// from `tokens` (one line per run; the last line repeats).
private struct ScriptPlugin {
    let dir: TempDirectory
    let path: String

    init(tokens: [String], expiration: String? = nil, apiVersion: String = ExecConfig.v1, body: String? = nil) throws {
        dir = try TempDirectory()
        try dir.write("tokens", tokens.joined(separator: "\n") + "\n")
        let d = dir.path
        let exp = expiration.map { ",\"expirationTimestamp\":\"\($0)\"" } ?? ""
        let script = body ?? """
            #!/bin/sh
            n=$(cat "\(d)/count" 2>/dev/null || echo 0)
            n=$((n+1))
            echo "$n" > "\(d)/count"
            echo "$@" > "\(d)/args"
            echo "$GREETING" > "\(d)/greeting"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "\(d)/info"
            lines=$(wc -l < "\(d)/tokens")
            i=$n
            if [ "$i" -gt "$lines" ]; then i=$lines; fi
            token=$(sed -n "${i}p" "\(d)/tokens")
            printf '{"apiVersion":"\(apiVersion)","kind":"ExecCredential","status":{"token":"%s"\(exp)}}' "$token"
            """
        path = try dir.write("plugin.sh", script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    var runs: Int { Int(read("count")) ?? 0 }
    func read(_ name: String) -> String {
        String(decoding: FileManager.default.contents(atPath: dir.path + "/" + name) ?? Data(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func config(apiVersion: String = ExecConfig.v1, mode: ExecConfig.InteractiveMode? = .never, clusterInfo: Bool = false) -> ExecConfig {
        ExecConfig(command: path, args: ["get-token", "--cluster", "hub"], env: [.init(name: "GREETING", value: "hello")], apiVersion: apiVersion, provideClusterInfo: clusterInfo, interactiveMode: mode)
    }
}

/// A wall clock a test moves by hand.
private final class TestDate: Sendable {
    private let value = Mutex(Date(timeIntervalSince1970: 1_900_000_000))
    var now: Date { value.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { value.withLock { $0 += seconds } }
}

@Suite(.timeLimit(.minutes(1)))
struct ExecCredentialTests {
    private func listConfigMaps(_ client: KubeClient) async -> Result<Int, any Error> {
        do {
            return .success(try await client.resource(TestConfigMap.self).list(namespace: "default").items.count)
        } catch {
            return .failure(error)
        }
    }

    @Test func pluginTokenAuthenticatesAndIsCachedAcrossRequests() async throws {
        try await withTestControlPlane { plane in
            let plugin = try ScriptPlugin(tokens: [plane.token])
            let provider = ExecCredentialProvider(config: plugin.config(clusterInfo: true), cluster: ExecClusterInfo(server: plane.baseURL.absoluteString, certificateAuthorityData: "Q0E="), user: "robot")
            let client = try KubeClient(configuration: ClientConfiguration(server: plane.baseURL, credentials: .exec(provider)))
            let first = await listConfigMaps(client)
            let second = await listConfigMaps(client)
            try await client.shutdown()
            #expect(try first.get() == 0)
            #expect(try second.get() == 0)
            #expect(plugin.runs == 1, "the token is cached: one run for two requests")
            #expect(plugin.read("args") == "get-token --cluster hub")
            #expect(plugin.read("greeting") == "hello")
            let info = try JSONValue(parsing: Data(plugin.read("info").utf8))
            #expect(info["kind"]?.stringValue == "ExecCredential")
            #expect(info["apiVersion"]?.stringValue == ExecConfig.v1)
            #expect(info.value(at: ["spec", "interactive"])?.boolValue == false)
            #expect(info.value(at: ["spec", "cluster", "server"])?.stringValue == plane.baseURL.absoluteString)
            #expect(info.value(at: ["spec", "cluster", "certificate-authority-data"])?.stringValue == "Q0E=")
        }
    }

    @Test func clusterInfoIsWithheldUnlessProvideClusterInfo() async throws {
        let plugin = try ScriptPlugin(tokens: ["t"])
        let provider = ExecCredentialProvider(config: plugin.config(), cluster: ExecClusterInfo(server: "https://hub:6443"), user: "robot")
        _ = try await provider.credential()
        let info = try JSONValue(parsing: Data(plugin.read("info").utf8))
        #expect(info.value(at: ["spec", "interactive"])?.boolValue == false)
        #expect(info.value(at: ["spec", "cluster"]) == nil)
    }

    @Test func unauthorizedAnswerRerunsThePluginOnceAndRetries() async throws {
        try await withTestControlPlane { plane in
            let plugin = try ScriptPlugin(tokens: ["stale-token", plane.token])
            let provider = ExecCredentialProvider(config: plugin.config(), cluster: nil, user: "robot")
            let client = try KubeClient(configuration: ClientConfiguration(server: plane.baseURL, credentials: .exec(provider)))
            let result = await listConfigMaps(client)
            try await client.shutdown()
            #expect(try result.get() == 0, "the request succeeds with the re-run plugin's token")
            #expect(plugin.runs == 2)
        }
    }

    @Test func persistentlyRejectedCredentialFailsAfterOneRerunPerRequest() async throws {
        try await withTestControlPlane { plane in
            let plugin = try ScriptPlugin(tokens: ["wrong"])
            let provider = ExecCredentialProvider(config: plugin.config(), cluster: nil, user: "robot")
            let client = try KubeClient(configuration: ClientConfiguration(server: plane.baseURL, credentials: .exec(provider), maxRetries: 0))
            let result = await listConfigMaps(client)
            try await client.shutdown()
            guard case .failure(let error) = result else {
                Issue.record("a wrong token must not authenticate")
                return
            }
            #expect((error as? KubeAPIError)?.isUnauthorized == true, "\(error)")
            #expect(plugin.runs == 2, "one run, then exactly one re-run after the 401")
        }
    }

    @Test func credentialIsReusedUntilItExpires() async throws {
        let plugin = try ScriptPlugin(tokens: ["a", "b"], expiration: "2030-03-17T20:26:40Z")
        let clock = TestDate()  // 2030-03-17T17:46:40Z
        let provider = ExecCredentialProvider(config: plugin.config(), cluster: nil, user: "robot", now: { clock.now })
        #expect(try await provider.credential().token == "a")
        clock.advance(9_000)
        #expect(try await provider.credential().token == "a", "still valid before the expirationTimestamp")
        clock.advance(1_000)
        #expect(try await provider.credential().token == "b", "expired: the plugin runs again")
        #expect(plugin.runs == 2)
        #expect(try await provider.credential().expiration == KubeTime(rfc3339: "2030-03-17T20:26:40Z")?.date)
    }

    @Test func concurrentCallersShareOneRun() async throws {
        let plugin = try ScriptPlugin(tokens: ["shared"])
        let provider = ExecCredentialProvider(config: plugin.config(), cluster: nil, user: "robot")
        let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<8 { group.addTask { try await provider.credential().token } }
            var out: [String?] = []
            for try await t in group { out.append(t) }
            return out
        }
        #expect(tokens == Array(repeating: "shared", count: 8))
        #expect(plugin.runs == 1)
    }

    struct PluginFailure: CustomTestStringConvertible, Sendable {
        var name: String
        var script: String?
        var mode: ExecConfig.InteractiveMode?
        var apiVersion: String = ExecConfig.v1
        var mentions: [String]
        var testDescription: String { name }
    }

    static let failures: [PluginFailure] = [
        PluginFailure(name: "non-zero exit shows its standard error", script: "#!/bin/sh\necho 'token expired, run login' >&2\nexit 3\n", mentions: ["exited with status 3", "run login"]),
        PluginFailure(name: "garbage output", script: "#!/bin/sh\necho 'hello there'\n", mentions: ["not an ExecCredential", "hello there"]),
        PluginFailure(name: "empty output", script: "#!/bin/sh\nexit 0\n", mentions: ["printed nothing"]),
        PluginFailure(name: "wrong API version returned", script: "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"x\"}}'\n", mentions: ["v1beta1"]),
        PluginFailure(name: "no token and no certificate", script: "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}'\n", mentions: ["neither a token"]),
        PluginFailure(name: "certificate without key", script: "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"clientCertificateData\":\"PEM\"}}'\n", mentions: ["without clientKeyData"]),
        PluginFailure(name: "interactive mode Always needs a terminal", script: nil, mode: .always, mentions: ["interactiveMode Always", "terminal"]),
    ]

    @Test(arguments: failures)
    func pluginFailuresNameTheCommand(_ c: PluginFailure) async throws {
        let plugin = try ScriptPlugin(tokens: ["t"], body: c.script)
        let provider = ExecCredentialProvider(config: plugin.config(apiVersion: c.apiVersion, mode: c.mode), cluster: nil, user: "robot")
        do {
            _ = try await provider.credential()
            Issue.record("expected the plugin to fail")
        } catch let error as KubeConfigError {
            #expect(error.code == .execPlugin)
            #expect(error.message.contains(plugin.path), "\(error.message)")
            for m in c.mentions { #expect(error.message.contains(m), "\(error.message) should mention \(m)") }
        }
    }

    @Test func missingCommandShowsTheInstallHint() async throws {
        let config = ExecConfig(command: "concord-no-such-plugin", installHint: "Install it with `brew install concord-auth`.")
        let provider = ExecCredentialProvider(config: config, cluster: nil, user: "robot")
        await #expect(throws: KubeConfigError.self) { _ = try await provider.credential() }
        do {
            _ = try await provider.credential()
        } catch let error as KubeConfigError {
            #expect(error.message.contains("concord-no-such-plugin was not found"))
            #expect(error.message.contains("brew install concord-auth"))
        }
    }

    @Test func certificateOutputIsParsed() throws {
        let out = Data(#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":"-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----","clientKeyData":"KEY","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#.utf8)
        let status = try ExecCredentialStatus.parse(out, apiVersion: ExecConfig.v1beta1, command: "plugin")
        #expect(status.token == nil)
        #expect(status.clientCertificatePEM == Data("-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----".utf8))
        #expect(status.clientKeyPEM == Data("KEY".utf8))
        #expect(status.isExpired(at: Date(timeIntervalSince1970: 1_893_456_000)))
        #expect(!status.isExpired(at: Date(timeIntervalSince1970: 1_893_455_999)))
    }

    @Test func kubeconfigExecUserBecomesExecCredentials() throws {
        let dir = try TempDirectory()
        let yaml = kubeconfig(
            server: "https://hub.example:6443",
            clusterExtra: "    extensions:\n    - name: client.authentication.k8s.io/exec\n      extension:\n        audience: concord\n",
            userExtra: "  user:\n    exec:\n      command: get-token\n      args: [--fast]\n      env:\n      - {name: A, value: b}\n      apiVersion: client.authentication.k8s.io/v1beta1\n      provideClusterInfo: true\n")
        let path = try dir.write("config", yaml)
        let c = try ClientConfiguration.fromKubeconfig(paths: [path])
        guard case .exec(let provider) = c.credentials else {
            Issue.record("expected exec credentials, got \(c.credentials)")
            return
        }
        #expect(provider.config.command == "get-token")
        #expect(provider.config.args == ["--fast"])
        #expect(provider.config.env == [.init(name: "A", value: "b")])
        #expect(provider.config.effectiveInteractiveMode == .ifAvailable, "v1beta1 defaults to IfAvailable")
        #expect(provider.cluster?.server == "https://hub.example:6443")
        #expect(provider.cluster?.config?["audience"]?.stringValue == "concord")
        #expect(c.credentials.description == "exec plugin get-token")
    }
}
