import ArgumentParser
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

@testable import ConcordCLI

/// `concord server`'s flags for the election of the one garbage collector among servers on one etcd.
struct ServerCommandElectionTests {
    static let etcd = ["--data-dir", "/tmp/d", "--storage", "etcd", "--etcd-endpoints", "http://127.0.0.1:2379"]

    @Test func timingsDefaultToClientGosAndCanBeSet() throws {
        let defaults = try ConcordCommand.Server.parse(Self.etcd).collectorElection
        #expect(defaults.leaseKey == "kube-system/concord-garbage-collector")
        #expect((defaults.leaseDuration, defaults.renewDeadline, defaults.retryPeriod) == (.seconds(15), .seconds(10), .seconds(2)))
        let set = try ConcordCommand.Server.parse(
            Self.etcd + ["--leader-elect-lease-duration", "3s", "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "500ms"]
        ).collectorElection
        #expect((set.leaseDuration, set.renewDeadline, set.retryPeriod) == (.seconds(3), .seconds(2), .milliseconds(500)))
    }

    @Test(arguments: [
        (["--data-dir", "/tmp/d", "--leader-elect-lease-duration", "3s"], "need --storage etcd"),
        (etcd + ["--leader-elect-lease-duration", "5s"], "must be greater than the renew deadline"),
        (etcd + ["--leader-elect-renew-deadline", "2s"], "must be greater than retry period × 1.2"),
    ])
    func inconsistentTimingsAreRejectedWithTheRule(_ args: [String], _ message: String) throws {
        let error = #expect(throws: (any Error).self) { try ConcordCommand.Server.parse(args) }
        let text = ConcordCommand.Server.message(for: try #require(error))
        #expect(text.contains(message), "\(text)")
    }
}
