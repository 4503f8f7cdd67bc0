import ArgumentParser
import ControlPlane
import Foundation
import Logging
import ServiceLifecycle

extension ConcordCommand {
    /// `concord server`: runs the embedded Kubernetes-compatible API server.
    public struct Server: AsyncParsableCommand {
        /// The command's configuration.
        public static let configuration = CommandConfiguration(
            commandName: "server",
            abstract: "Run Concord's embedded Kubernetes-compatible API server (SQLite or etcd storage).",
            discussion: """
                Writes DIR/kubeconfig on start, so `KUBECONFIG=DIR/kubeconfig kubectl get ns` just works.
                Bearer-token authentication is on: the token is generated on first start and kept in DIR/token.
                /healthz, /livez, /readyz and /version answer without a token, as kube-apiserver's defaults do.

                --tls serves HTTPS: a CA (DIR/ca.crt, ten years) and a serving certificate (DIR/server.crt, one
                year, for localhost, 127.0.0.1, ::1, --host and every --tls-san) are generated once and reused;
                the kubeconfig then names the https:// server, its CA and the token. --tls-cert-file and
                --tls-private-key-file serve your own certificate instead. --client-ca-file accepts client
                certificates signed by that CA (the user is the certificate's common name, groups its
                organizations). --token-file adds kube-apiserver static tokens (token,user,uid,"group1,group2");
                members of the group concord:viewers may only get, list and watch (and not read Secrets).

                --storage etcd keeps the objects in an etcd v3 cluster (--etcd-endpoints) instead of DIR: several
                servers may then serve the same etcd and prefix, and any member may fail while a majority lives.
                """)

        /// Where the database, the token and the kubeconfig live.
        @Option(name: .customLong("data-dir"), help: "Directory for the database, the token and the kubeconfig.")
        public var dataDirectory: String

        /// The port; 0 picks a free one.
        @Option(help: "Port to listen on (0 picks a free port).")
        public var port: Int = 6443

        /// The bind address.
        @Option(help: "Address to bind (loopback by default).")
        public var host: String = "127.0.0.1"

        /// A fixed token instead of the generated one.
        @Option(help: "Bearer token clients must send (default: generated once and kept in DIR/token).")
        public var token: String?

        /// Serve HTTPS with a generated CA and serving certificate.
        @Flag(name: .customLong("tls"), help: "Serve HTTPS with a CA and serving certificate generated in DIR (or --tls-cert-file).")
        public var tls = false

        /// Extra names for the generated serving certificate.
        @Option(name: .customLong("tls-san"), help: "An extra DNS name or IP address for the generated serving certificate (repeatable).")
        public var tlsSubjectAlternativeNames: [String] = []

        /// The operator's serving certificate.
        @Option(name: .customLong("tls-cert-file"), help: "PEM serving certificate (chain) to use instead of a generated one; implies --tls.")
        public var tlsCertificateFile: String?

        /// The operator's serving key.
        @Option(name: .customLong("tls-private-key-file"), help: "PEM private key of --tls-cert-file.")
        public var tlsPrivateKeyFile: String?

        /// CAs whose client certificates authenticate.
        @Option(name: .customLong("client-ca-file"), help: "PEM CA bundle: client certificates it signed authenticate as their common name (needs TLS).")
        public var clientCAFile: String?

        /// Additional static tokens.
        @Option(name: .customLong("token-file"), help: "Static token file, one `token,user,uid,\"group1,group2\"` a line; each token authenticates as its user.")
        public var tokenFile: String?

        /// Where objects are stored.
        @Option(help: "Object storage: sqlite (in DIR, the default) or etcd (--etcd-endpoints).")
        public var storage: String = "sqlite"

        /// The etcd members' client URLs.
        @Option(name: .customLong("etcd-endpoints"), help: "Comma-separated etcd client URLs, e.g. http://127.0.0.1:2379 (with --storage etcd).")
        public var etcdEndpoints: String?

        /// The etcd key prefix.
        @Option(name: .customLong("etcd-prefix"), help: "Key prefix for every object in etcd (with --storage etcd).")
        public var etcdPrefix: String = "/concord"

        /// The CA of the etcd members' serving certificates.
        @Option(name: .customLong("etcd-cafile"), help: "PEM CA bundle that verifies the etcd members (https endpoints).")
        public var etcdCAFile: String?

        /// The client certificate for etcd.
        @Option(name: .customLong("etcd-certfile"), help: "PEM client certificate presented to etcd.")
        public var etcdCertificateFile: String?

        /// The client key for etcd.
        @Option(name: .customLong("etcd-keyfile"), help: "PEM private key of --etcd-certfile.")
        public var etcdKeyFile: String?

        /// How often etcd history is compacted.
        @Option(name: .customLong("etcd-compaction-interval"), help: "Seconds between etcd history compactions (0 turns compaction off).")
        public var etcdCompactionInterval: Double = 300

        /// The log level.
        @Option(name: .customLong("log-level"), help: "Log level: trace, debug, info, notice, warning, error, critical.")
        public var logLevel: String = "info"

        /// Simulate workloads: Deployments become available, Services get EndpointSlices (no kubelet).
        @Flag(
            name: .customLong("simulate-workloads"),
            help: "Mark Deployments available and publish EndpointSlices with synthetic addresses (labelled concord.dev/simulated).")
        public var simulateWorkloads = false

        /// How long a simulated rollout takes.
        @Option(name: .customLong("simulate-workloads-delay"), help: "Seconds a simulated rollout takes (with --simulate-workloads).")
        public var simulateWorkloadsDelay: Double = 2

        /// Creates the command.
        public init() {}

        /// Checks the options.
        public func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
            guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
            guard simulateWorkloadsDelay >= 0 else { throw ValidationError("--simulate-workloads-delay must not be negative") }
            guard (tlsCertificateFile == nil) == (tlsPrivateKeyFile == nil) else {
                throw ValidationError("--tls-cert-file and --tls-private-key-file go together; give both or neither")
            }
            if tlsCertificateFile != nil && !tlsSubjectAlternativeNames.isEmpty {
                throw ValidationError("--tls-san applies to the generated certificate only; put the names into --tls-cert-file's certificate instead")
            }
            try validateStorage()
            if clientCAFile != nil && servingTLS == nil {
                throw ValidationError("--client-ca-file needs TLS; add --tls (client certificates travel only over HTTPS)")
            }
        }

        /// The HTTPS settings the options ask for, or nil for plain HTTP.
        var servingTLS: ServingTLS? {
            if let cert = tlsCertificateFile, let key = tlsPrivateKeyFile {
                return ServingTLS(certificate: .files(certificate: absolute(cert), privateKey: absolute(key)), clientCAFile: clientCAFile.map(absolute))
            }
            guard tls || !tlsSubjectAlternativeNames.isEmpty else { return nil }
            return ServingTLS(certificate: .generated(additionalNames: tlsSubjectAlternativeNames), clientCAFile: clientCAFile.map(absolute))
        }

        private func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

        /// Serves until SIGTERM or SIGINT.
        public func run() async throws {
            var logger = Logger(label: "concord.server")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let dir = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
            var configuration = ControlPlaneConfiguration(
                dataDirectory: dir, host: host, port: port, token: token, tokenFile: tokenFile.map(absolute), tls: servingTLS, logger: logger)
            if let etcd = try etcdConfiguration() {
                var storageLogger = logger
                storageLogger[metadataKey: "storage"] = "etcd"
                configuration.makeStore = DefaultStore.etcd(etcd, logger: storageLogger)
            }
            if simulateWorkloads { configuration.simulateWorkloads = WorkloadSimulation(delay: .milliseconds(Int64(simulateWorkloadsDelay * 1000))) }
            let server = ControlPlaneServer(configuration: configuration)
            let group = ServiceGroup(
                configuration: .init(services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            let shownHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host.contains(":") ? "[\(host)]" : host
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    let bound = try await server.port()
                    let line = "Concord control plane ready at \(server.scheme)://\(shownHost):\(bound) — export KUBECONFIG=\(server.kubeconfigPath)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
                try await tasks.waitForAll()
            }
        }
    }
}
