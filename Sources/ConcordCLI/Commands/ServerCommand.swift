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
                Writes DIR/kubeconfig on start, so `KUBECONFIG=DIR/kubeconfig kubectl get ns` just works. \
                Bearer-token authentication is on: the token is generated on first start and kept in DIR/token. \
                /healthz, /livez, /readyz and /version answer without a token, as kube-apiserver's defaults do. \
                Authorization is RBAC: the token's user is in system:masters; every other user needs bindings.

                HTTPS is the default: a CA (DIR/ca.crt, ten years) and a serving certificate (DIR/server.crt, one \
                year, for localhost, 127.0.0.1, ::1, --host and every --tls-san) are generated once and reused; \
                the kubeconfig names the https:// server, its CA and the token. --tls-cert-file and \
                --tls-private-key-file serve your own certificate instead. --client-ca-file accepts client \
                certificates signed by that CA (the user is the certificate's common name, groups its \
                organizations). --token-file adds kube-apiserver static tokens (token,user,uid,"group1,group2"); \
                the group concord:viewers is bound to the view ClusterRole.

                --insecure-plain-http serves plain HTTP instead (a warning is printed). kubectl sends credentials \
                only over TLS, so that kubeconfig carries the token in the server URL's path (/token/TOKEN/…): \
                anyone who sees a URL sees the token, and client certificates cannot be used.

                The settings a data dir was first started with (HTTPS or plain HTTP, --tls-san, the certificate \
                files, --client-ca-file, --token-file) are kept in DIR/settings.json, so a restart needs only \
                --data-dir and --port. Options given again replace the kept ones; switching between HTTPS and \
                plain HTTP is refused.

                --storage etcd keeps the objects in an etcd v3 cluster (--etcd-endpoints) instead of DIR: several \
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

        /// Serve HTTPS with a generated CA and serving certificate (the default; kept for scripts that say so).
        @Flag(name: .customLong("tls"), help: "Serve HTTPS with a CA and serving certificate generated in DIR (the default).")
        public var tls = false

        /// Serve plain HTTP instead of HTTPS.
        @Flag(
            name: .customLong("insecure-plain-http"),
            help: "Serve plain HTTP instead of HTTPS (tokens then travel unencrypted, and in the kubeconfig's server URL).")
        public var insecurePlainHTTP = false

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

        /// How long the other servers on etcd wait, after the garbage collector's Lease last changed, before taking it over.
        @Option(name: .customLong("leader-elect-lease-duration"), help: "With --storage etcd: how long the other servers wait after the garbage collector's Lease last changed before taking it over (default 15s).")
        var leaseDuration: DurationArgument?

        /// How long the collecting server retries renewing its Lease before it stops collecting.
        @Option(name: .customLong("leader-elect-renew-deadline"), help: "With --storage etcd: how long the collecting server retries renewing before it stops collecting (default 10s).")
        var renewDeadline: DurationArgument?

        /// The pause between attempts to acquire or renew the garbage collector's Lease.
        @Option(name: .customLong("leader-elect-retry-period"), help: "With --storage etcd: the pause between attempts to acquire or renew the garbage collector's Lease (default 2s).")
        var retryPeriod: DurationArgument?

        /// The log level.
        @Option(name: .customLong("log-level"), help: "Log level: trace, debug, info, notice, warning, error, critical.")
        public var logLevel: String = "info"

        /// Simulate workloads: Deployments become available, Services get EndpointSlices (no kubelet).
        @Flag(
            name: .customLong("simulate-workloads"),
            help: "Mark Deployments available and publish EndpointSlices with synthetic addresses (labelled concord.dev/simulated); with --storage etcd only the server elected to collect garbage does it.")
        public var simulateWorkloads = false

        /// How long a simulated rollout takes.
        @Option(name: .customLong("simulate-workloads-delay"), help: "Seconds a simulated rollout takes (with --simulate-workloads).")
        public var simulateWorkloadsDelay: Double = 2

        /// The network of the synthetic pod addresses.
        @Option(name: .customLong("simulate-workloads-cidr"), help: "The 10.N.0.0/16 network of the synthetic pod addresses (with --simulate-workloads; default 10.244.0.0/16).")
        public var simulateWorkloadsCIDR = "10.244.0.0/16"

        /// Creates the command.
        public init() {}

        /// Checks the options.
        public func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
            guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
            guard simulateWorkloadsDelay >= 0 else { throw ValidationError("--simulate-workloads-delay must not be negative") }
            guard WorkloadSimulation.podNetwork(cidr: simulateWorkloadsCIDR) != nil else {
                throw ValidationError("--simulate-workloads-cidr must be a 10.N.0.0/16 network, such as 10.244.0.0/16 (got \(simulateWorkloadsCIDR))")
            }
            guard (tlsCertificateFile == nil) == (tlsPrivateKeyFile == nil) else {
                throw ValidationError("--tls-cert-file and --tls-private-key-file go together; give both or neither")
            }
            if tlsCertificateFile != nil && !tlsSubjectAlternativeNames.isEmpty {
                throw ValidationError("--tls-san applies to the generated certificate only; put the names into --tls-cert-file's certificate instead")
            }
            try validateStorage()
            if insecurePlainHTTP {
                if clientCAFile != nil {
                    throw ValidationError("--client-ca-file needs TLS; drop --insecure-plain-http (client certificates travel only over HTTPS)")
                }
                if tls || tlsCertificateFile != nil || !tlsSubjectAlternativeNames.isEmpty {
                    throw ValidationError("--insecure-plain-http serves no TLS; drop it or the --tls* options")
                }
            }
        }

        /// What the options ask for explicitly; the data dir's remembered settings fill in the rest.
        var requestedSettings: RememberedSettings.Request {
            let httpsAsked = tls || tlsCertificateFile != nil || !tlsSubjectAlternativeNames.isEmpty
            return RememberedSettings.Request(
                plainHTTP: insecurePlainHTTP ? true : (httpsAsked ? false : nil),
                subjectAlternativeNames: tlsSubjectAlternativeNames.isEmpty ? nil : tlsSubjectAlternativeNames,
                certificateFiles: tlsCertificateFile.flatMap { cert in tlsPrivateKeyFile.map { (absolute(cert), absolute($0)) } },
                clientCAFile: clientCAFile.map(absolute), tokenFile: tokenFile.map(absolute))
        }

        /// The HTTPS settings the options ask for on a fresh data dir, or nil for plain HTTP.
        var servingTLS: ServingTLS? {
            RememberedSettings(plainHTTP: insecurePlainHTTP).merging(requestedSettings).servingTLS
        }

        private func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

        /// Serves until SIGTERM or SIGINT.
        public func run() async throws {
            var logger = Logger(label: "concord.server")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let dir = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
            let settings: RememberedSettings
            do {
                settings = try RememberedSettings.merge(
                    remembered: try RememberedSettings.load(dataDirectory: dir), requested: requestedSettings, dataDirectory: dir)
                try settings.save(dataDirectory: dir)
            } catch let error as ControlPlaneError {
                throw CLIError(error.message)
            }
            if settings.plainHTTP {
                logger.warning("Serving plain HTTP (--insecure-plain-http): tokens travel unencrypted and the kubeconfig carries the token in its server URL")
            }
            var configuration = ControlPlaneConfiguration(
                dataDirectory: dir, host: host, port: port, token: token, tokenFile: settings.tokenFile, tls: settings.servingTLS, logger: logger)
            if let etcd = try etcdConfiguration() {
                var storageLogger = logger
                storageLogger[metadataKey: "storage"] = "etcd"
                configuration.makeStore = DefaultStore.etcd(etcd, logger: storageLogger)
                configuration.garbageCollectorElection = collectorElection
            }
            if simulateWorkloads { configuration.simulateWorkloads = WorkloadSimulation(
                delay: .milliseconds(Int64(simulateWorkloadsDelay * 1000)), podNetwork: WorkloadSimulation.podNetwork(cidr: simulateWorkloadsCIDR) ?? WorkloadSimulation.defaultPodNetwork) }
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
