import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `concord up`: a local federation in one command.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a local federation: a hub and N member control planes, the CRDs, one Datacenter per member, and the controller.",
        discussion: """
            Each control plane runs as its own `concord server` child process, so one can fail alone. \
            Progress is printed as it goes; the datacenter table and the KUBECONFIG to use come last. \
            Members simulate workloads (--simulate-workloads). DIR/up.json, written once every Datacenter is \
            registered, lists every process and the controller's loopback /metrics and probe addresses. \
            Ctrl-C (or SIGTERM) stops every child; if concord up dies otherwise (even kill -9), its children \
            stop by themselves. Re-running on the same --data-dir reuses its data and ports; a control plane or \
            the controller that finds its port taken by another process is started again on a free one \
            (up.json says which).

            --ha makes the hub highly available: three etcd members (Debian's etcd-server; install it with \
            `apt-get install etcd-server` or hack/setup.sh) and two hub servers (`concord server --storage etcd`) \
            sharing them and one CA and token. DIR/hub.kubeconfig names the first hub server, for kubectl, and \
            lists both in its federation.concord.dev/servers extension: the controller and agents fail over to \
            the other server when one is lost. up.json lists etcd's and both servers' pids, so `kill -9` of the \
            etcd leader or of a hub server can be tried while the federation keeps working.
            """
    )

    @Option(name: .long, help: "How many member datacenters to start (1–128).")
    var datacenters: Int = 3

    @Option(name: .long, help: "Where the control planes keep their data, logs, up.json and hub.kubeconfig.")
    var dataDir: String = ".concord"

    @Flag(name: .long, help: "Members join as `concord agent` processes (Pull mode: Lease heartbeats) instead of being registered by push.")
    var pull = false

    @Flag(name: .long, help: "A highly available hub: 3 etcd members and 2 hub servers on them; the controller fails over between the servers.")
    var ha = false

    func validate() throws {
        guard (1...128).contains(datacenters) else {
            throw ValidationError("--datacenters must be between 1 and 128 (got \(datacenters))")
        }
    }

    func run() async throws {
        let directory = URL(fileURLWithPath: dataDir, isDirectory: true).standardizedFileURL
        let federation = LocalFederation(
            directory: directory, datacenterCount: datacenters, pull: pull,
            executable: try currentExecutable(), output: ProgressOutput(), ha: ha)
        var logger = Logger(label: "concord.up")
        logger.logLevel = .warning
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: federation, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

/// The path of the running `concord` binary, so children run the same build.
func currentExecutable() throws -> String {
    do {
        return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    } catch {
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
