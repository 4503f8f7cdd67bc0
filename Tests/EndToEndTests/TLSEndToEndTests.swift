import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `concord server --tls` with the real kubectl, curl and the Python `kubernetes` client.
@Suite(.serialized) struct TLSEndToEndTests {
    /// Makes a client CA and two client certificates with openssl: `ada` (group `ops`) and `carol`
    /// (group `concord:viewers`).
    static func makeClientCertificates(in dir: URL) async throws {
        let d = dir.path
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await openssl(["req", "-x509"] + ec + ["-keyout", "\(d)/client-ca.key", "-out", "\(d)/client-ca.crt", "-days", "2", "-subj", "/CN=concord-e2e-clients"])
        try "extendedKeyUsage=clientAuth\n".write(toFile: "\(d)/client.ext", atomically: true, encoding: .utf8)
        for (user, group) in [("ada", "ops"), ("carol", "concord:viewers")] {
            try await openssl(["req"] + ec + ["-keyout", "\(d)/\(user).key", "-out", "\(d)/\(user).csr", "-subj", "/O=\(group)/CN=\(user)"])
            try await openssl([
                "x509", "-req", "-in", "\(d)/\(user).csr", "-CA", "\(d)/client-ca.crt", "-CAkey", "\(d)/client-ca.key", "-CAcreateserial",
                "-out", "\(d)/\(user).crt", "-days", "2", "-extfile", "\(d)/client.ext",
            ])
        }
    }

    static func openssl(_ args: [String]) async throws {
        let result = try await run("/usr/bin/openssl", args, timeout: .seconds(30))
        guard result.succeeded else { throw E2EError("openssl \(args.joined(separator: " ")) failed: \(result.stderr)") }
    }

    /// A kubeconfig for `server` with the cluster's CA and either a token or a client certificate.
    static func kubeconfig(server: String, caData: String, token: String? = nil, certificate: (cert: String, key: String)? = nil) throws -> String {
        var user = ""
        if let token { user += "\n    token: \(token)" }
        if let certificate {
            let cert = try Data(contentsOf: URL(fileURLWithPath: certificate.cert)).base64EncodedString()
            let key = try Data(contentsOf: URL(fileURLWithPath: certificate.key)).base64EncodedString()
            user += "\n    client-certificate-data: \(cert)\n    client-key-data: \(key)"
        }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: \(server)
                certificate-authority-data: \(caData)
            users:
            - name: u
              user:\(user.isEmpty ? " {}" : user)
            contexts:
            - name: c
              context: {cluster: c, user: u, namespace: default}
            current-context: c

            """
    }

    @Test func kubectlAndCurlOverTLSWithTokensTokenFileAndClientCertificates() async throws {
        let dir = try makeTempDirectory("tls-e2e")
        defer { removeTestDirectory(dir) }
        try await Self.makeClientCertificates(in: dir)
        let tokens = dir.appendingPathComponent("tokens.csv").path
        try "view-token,vic,2001,\"concord:viewers\"\nops-token,olga,2002,\"ops,dev\"\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        let port = try freePort()
        let server = try await ServerProcess.start(
            dataDir: dir.appendingPathComponent("data"), port: port,
            extraArguments: ["--tls", "--tls-san", "concord.test", "--token-file", tokens, "--client-ca-file", dir.appendingPathComponent("client-ca.crt").path])
        defer { server.process.signal(SIGKILL) }

        // The emitted kubeconfig: https, the CA, a plain token, no path token.
        let emitted = try String(contentsOfFile: server.kubeconfig, encoding: .utf8)
        #expect(emitted.contains("server: https://127.0.0.1:\(port)\n"), "\(emitted)")
        #expect(emitted.contains("certificate-authority-data: "))
        #expect(!emitted.contains("/token/"))
        let caData = try #require(emitted.split(separator: "\n").first { $0.contains("certificate-authority-data:") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces))
        let token = try String(contentsOfFile: server.dataDir.appendingPathComponent("token").path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(server.process.log.contains("https://127.0.0.1:\(port)"))
        #expect(!server.process.log.contains(token), "the server log shows the token")

        let k = try Kubectl(kubeconfig: server.kubeconfig)
        // RBAC: the group of the client certificate below may edit.
        let bound = try await k("create", "clusterrolebinding", "ops-edit", "--clusterrole=edit", "--group=ops")
        #expect(bound.succeeded, "\(bound.stderr)")
        let ns = try await k("get", "namespaces", "default", "-o", "name")
        #expect(ns.stdout == "namespace/default\n", "\(ns.stderr)")
        let cm = try await k("create", "configmap", "over-tls", "--from-literal=k=v")
        #expect(cm.succeeded, "\(cm.stderr)")
        #expect(try await k("get", "configmap", "over-tls", "-o", "jsonpath={.data.k}").stdout == "v")

        // A wrong token: kubectl's own Unauthorized message.
        let wrongConfig = dir.appendingPathComponent("wrong.kubeconfig").path
        try Self.kubeconfig(server: "https://127.0.0.1:\(port)", caData: caData, token: "not-the-token").write(toFile: wrongConfig, atomically: true, encoding: .utf8)
        // Without a discovery cache, discovery fails first and client-go words the 401 itself (as against
        // kube-apiserver); with discovery cached, the request's Status body is what kubectl prints.
        let fresh = try await Kubectl(kubeconfig: wrongConfig)("get", "configmaps")
        #expect(!fresh.succeeded)
        #expect(fresh.stderr.contains("error: You must be logged in to the server ("), "\(fresh.stderr)")
        let wrong = try await Kubectl(kubeconfig: wrongConfig, cacheDir: k.cacheDir)("get", "configmaps")
        #expect(!wrong.succeeded)
        #expect(wrong.stderr.contains("error: You must be logged in to the server (Unauthorized)"), "\(wrong.stderr)")

        // The name the certificate was issued for (--tls-san) verifies too.
        let sanConfig = dir.appendingPathComponent("san.kubeconfig").path
        try Self.kubeconfig(server: "https://concord.test:\(port)", caData: caData, token: token)
            .replacingOccurrences(of: "    server: https://concord.test:\(port)\n", with: "    server: https://127.0.0.1:\(port)\n    tls-server-name: concord.test\n")
            .write(toFile: sanConfig, atomically: true, encoding: .utf8)
        let viaSAN = try await Kubectl(kubeconfig: sanConfig)("get", "configmap", "over-tls", "-o", "name")
        #expect(viaSAN.stdout == "configmap/over-tls\n", "\(viaSAN.stderr)")

        // Token-file users: a viewer reads, and is told precisely what it may not do.
        let viewerConfig = dir.appendingPathComponent("viewer.kubeconfig").path
        try Self.kubeconfig(server: "https://127.0.0.1:\(port)", caData: caData, token: "view-token").write(toFile: viewerConfig, atomically: true, encoding: .utf8)
        let viewer = try Kubectl(kubeconfig: viewerConfig)
        #expect(try await viewer("get", "configmap", "over-tls", "-o", "name").stdout == "configmap/over-tls\n")
        let denied = try await viewer("delete", "configmap", "over-tls")
        #expect(!denied.succeeded)
        #expect(
            denied.stderr.contains(#"Error from server (Forbidden): configmaps "over-tls" is forbidden: User "vic" cannot delete resource "configmaps" in API group "" in the namespace "default""#),
            "\(denied.stderr)")

        // Client certificates: kubectl with only a certificate, and curl.
        let adaConfig = dir.appendingPathComponent("ada.kubeconfig").path
        try Self.kubeconfig(
            server: "https://127.0.0.1:\(port)", caData: caData, certificate: (dir.appendingPathComponent("ada.crt").path, dir.appendingPathComponent("ada.key").path)
        ).write(toFile: adaConfig, atomically: true, encoding: .utf8)
        let byCert = try await Kubectl(kubeconfig: adaConfig)("create", "configmap", "by-cert", "--from-literal=who=ada")
        #expect(byCert.succeeded, "\(byCert.stderr)")

        let ca = server.dataDir.appendingPathComponent("ca.crt").path
        let url = "https://127.0.0.1:\(port)/api/v1/namespaces/default/configmaps/by-cert"
        let carol = try await run(
            "/usr/bin/curl", ["-sS", "--cacert", ca, "--cert", dir.appendingPathComponent("carol.crt").path, "--key", dir.appendingPathComponent("carol.key").path,
                "-X", "DELETE", "-w", "\n%{http_code}", url])
        #expect(carol.stdout.hasSuffix("\n403"), "\(carol.stdout) \(carol.stderr)")
        #expect(carol.stdout.contains(#"User \"carol\" cannot delete"#), "\(carol.stdout)")
        let anonymous = try await run("/usr/bin/curl", ["-sS", "--cacert", ca, "-w", "\n%{http_code}", url])
        #expect(anonymous.stdout.hasSuffix("\n401"), "\(anonymous.stdout) \(anonymous.stderr)")
        #expect(anonymous.stdout.contains(#""kind":"Status""#) && anonymous.stdout.contains(#""reason":"Unauthorized""#), "\(anonymous.stdout)")
        let healthy = try await run("/usr/bin/curl", ["-sS", "--cacert", ca, "https://127.0.0.1:\(port)/readyz"])
        #expect(healthy.stdout == "ok", "\(healthy.stdout) \(healthy.stderr)")
        #expect(!server.process.log.contains("view-token") && !server.process.log.contains("ops-token"))
    }

    /// The official Python client (CoreV1Api, CustomObjectsApi, DynamicClient, watch) against `concord server --tls`.
    @Test func pythonKubernetesClientWorksUnchanged() async throws {
        let python = "/usr/bin/env"
        let probe = try await run(python, ["python3", "-c", "import kubernetes"], timeout: .seconds(60))
        if !probe.succeeded {
            let install = try await run(python, ["python3", "-m", "pip", "install", "--quiet", "kubernetes"], timeout: .seconds(300))
            try #require(install.succeeded, "cannot install the Python kubernetes client: \(install.stderr)")
        }
        let dir = try makeTempDirectory("python-client")
        defer { removeTestDirectory(dir) }
        let server = try await ServerProcess.start(dataDir: dir.appendingPathComponent("data"), extraArguments: ["--tls"])
        defer { server.process.signal(SIGKILL) }
        let script = Repo.root.appendingPathComponent("hack/python-client-check.py").path
        let check = try await run(python, ["python3", script, server.kubeconfig, Repo.crds], timeout: .seconds(180))
        #expect(check.succeeded, "python client check failed:\n\(check.stdout)\n\(check.stderr)\nserver log:\n\(server.process.log.suffix(4000))")
        #expect(check.stdout.contains("python kubernetes client check passed"), "\(check.stdout)")
    }
}
