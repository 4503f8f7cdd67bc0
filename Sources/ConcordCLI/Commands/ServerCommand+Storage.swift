import ArgumentParser
import ControlPlane
import Foundation
import KubernetesAPI

extension ConcordCommand.Server {
    /// Checks `--storage` and the etcd options that go with it.
    func validateStorage() throws {
        switch storage {
        case "sqlite":
            let etcdOptions = [etcdEndpoints, etcdCAFile, etcdCertificateFile, etcdKeyFile].contains { $0 != nil }
            if etcdOptions { throw ValidationError("the --etcd-* options need --storage etcd") }
            if [leaseDuration, renewDeadline, retryPeriod].contains(where: { $0 != nil }) {
                throw ValidationError("the --leader-elect-* options need --storage etcd (one SQLite server collects garbage without an election)")
            }
        case "etcd":
            guard let etcdEndpoints else {
                throw ValidationError("--storage etcd needs --etcd-endpoints URL[,URL…], e.g. --etcd-endpoints http://127.0.0.1:2379")
            }
            do {
                _ = try EtcdStorageConfiguration.endpoints(parsing: etcdEndpoints)
            } catch let error as EtcdConfigurationError {
                throw ValidationError(error.description)
            }
            guard (etcdCertificateFile == nil) == (etcdKeyFile == nil) else {
                throw ValidationError("--etcd-certfile and --etcd-keyfile go together; give both or neither")
            }
            guard etcdCompactionInterval >= 0 else { throw ValidationError("--etcd-compaction-interval must not be negative") }
            do {
                try collectorElection.validate()
            } catch {
                throw ValidationError("\(error) (--leader-elect-lease-duration > --leader-elect-renew-deadline > 1.2 × --leader-elect-retry-period)")
            }
        default:
            throw ValidationError("unknown --storage \(storage); use sqlite or etcd")
        }
    }

    /// The election of the one server (of those on the same etcd) that runs the garbage collector.
    var collectorElection: LeaderElectionConfiguration {
        var settings = LeaderElectionConfiguration.garbageCollector()
        if let leaseDuration { settings.leaseDuration = leaseDuration.value }
        if let renewDeadline { settings.renewDeadline = renewDeadline.value }
        if let retryPeriod { settings.retryPeriod = retryPeriod.value }
        return settings
    }

    /// The etcd settings the options ask for, or nil for SQLite.
    func etcdConfiguration() throws -> EtcdStorageConfiguration? {
        guard storage == "etcd", let etcdEndpoints else { return nil }
        let absolute = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
        let files = [etcdCAFile, etcdCertificateFile, etcdKeyFile].compactMap { $0 }
        let tls = files.isEmpty
            ? nil : EtcdClientTLS(caFile: etcdCAFile.map(absolute), certificateFile: etcdCertificateFile.map(absolute), keyFile: etcdKeyFile.map(absolute))
        return EtcdStorageConfiguration(
            endpoints: try EtcdStorageConfiguration.endpoints(parsing: etcdEndpoints), prefix: etcdPrefix, tls: tls,
            compactionInterval: .milliseconds(Int64(etcdCompactionInterval * 1000)))
    }
}
