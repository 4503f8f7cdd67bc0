import ArgumentParser
import FederationAPI
import FederationCore
import Foundation
import Logging
import Testing

@testable import ConcordCLI

struct CommandParsingTests {
    @Test func upDefaultsToThreeDatacentersInDotConcord() throws {
        let up = try UpCommand.parse([])
        #expect(up.datacenters == 3)
        #expect(up.dataDir == ".concord")
    }

    @Test(arguments: ["0", "129", "-1"]) func upRejectsDatacenterCountsOutOfRange(_ n: String) {
        #expect(throws: (any Error).self) { try UpCommand.parse(["--datacenters", n]) }
    }

    @Test func controllerTakesKubeconfigAndLogFormat() throws {
        let c = try ControllerCommand.parse(["--kubeconfig", "/tmp/hub.kubeconfig", "--log-format", "json", "--log-level", "debug"])
        #expect(c.cluster.kubeconfig == "/tmp/hub.kubeconfig")
        #expect(c.logging.logFormat == .json)
        #expect(c.logging.logLevel == .debug)
        #expect(throws: (any Error).self) { try ControllerCommand.parse(["--log-format", "xml"]) }
    }

    @Test func statusTakesKubeconfigAndContext() throws {
        let s = try StatusCommand.parse(["--kubeconfig", "k", "--context", "hub"])
        #expect(s.cluster.kubeconfig == "k")
        #expect(s.cluster.context == "hub")
    }

    @Test func simulateListsAndAcceptsEveryInjectedBug() throws {
        let help = SimulateCommand.helpMessage(columns: 2000)
        for bug in InjectedBug.allCases {
            #expect(help.contains("\(bug.rawValue) (\(bug.brokenPart))"), "help does not list \(bug.rawValue)")
            #expect(try SimulateCommand.parse(["--inject-bug", bug.rawValue]).injectedBug == bug)
        }
        #expect(help.contains("markers-before-status (executor)"))
        #expect(throws: (any Error).self) { try SimulateCommand.parse(["--inject-bug", "no-such-bug"]) }
    }

    @Test func theRootCommandListsItsSubcommands() {
        let names = ConcordCommand.configuration.subcommands.map { $0.configuration.commandName }
        for expected in ["up", "server", "controller", "status", "crds"] {
            #expect(names.contains(expected), "missing subcommand \(expected)")
        }
    }
}

struct DatacenterTableTests {
    @Test func rendersKubectlStyleColumns() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var east = Datacenter(metadata: ObjectMeta(name: "us-east", creationTimestamp: KubeTime(now.addingTimeInterval(-75))), spec: DatacenterSpec(region: "us-east-1"))
        east.status = DatacenterStatus()
        east.status?.phase = .ready
        east.status?.role = .primary
        east.status?.latencyMilliseconds = 3
        let west = Datacenter(metadata: ObjectMeta(name: "eu-central", creationTimestamp: KubeTime(now.addingTimeInterval(-4000))), spec: DatacenterSpec(region: "eu-central-1"))
        let table = DatacenterTable.render([east, west], now: now)
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines == [
            "NAME         REGION         ROLE      PHASE     LATENCY   AGE",
            "eu-central   eu-central-1             Pending             66m",
            "us-east      us-east-1      Primary   Ready     3ms       75s",
        ])
    }
}

struct HumanDurationTests {
    @Test(arguments: [
        (0.0, "0s"), (8, "8s"), (119, "119s"), (120, "2m"), (192, "3m12s"), (599, "9m59s"), (600, "10m"),
        (10_799, "179m"), (10_800, "3h"), (18_180, "5h3m"), (28_800, "8h"), (172_799, "47h"), (172_800, "2d"),
        (180_000, "2d2h"), (691_200, "8d"), (63_072_000, "2y"), (64_800_000, "2y20d"), (300_000_000, "9y"),
    ])
    func formatsLikeKubectl(_ seconds: Double, _ expected: String) {
        #expect(HumanDuration.format(seconds) == expected)
    }
}

struct LogFormatTests {
    private static let metadata: Logger.Metadata = [
        "controller": "datacenter", "controllerKind": "Datacenter", "Datacenter": ["name": "us-east"],
        "name": "us-east", "reconcileID": "r1", "error": "boom",
    ]

    @Test func jsonLinesNameTheObjectTheWayKubebuilderDoes() throws {
        let line = ConcordLogHandler.render(format: .json, timestamp: "2026-11-21T09:00:00.000Z", level: .error, label: "concord.controller", message: "Reconciler error", metadata: Self.metadata)
        #expect(line.hasSuffix("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "Reconciler error")
        #expect(object["level"] as? String == "error")
        #expect(object["ts"] as? String == "2026-11-21T09:00:00.000Z")
        #expect(object["controller"] as? String == "datacenter")
        #expect(object["controllerKind"] as? String == "Datacenter")
        #expect((object["Datacenter"] as? [String: Any])?["name"] as? String == "us-east", "the object is nested JSON, not a Swift description")
        #expect(object["reconcileID"] as? String == "r1")
    }

    @Test func textLinesAreOneLineOfSortedKeyValuePairs() {
        let line = ConcordLogHandler.render(format: .text, timestamp: "T", level: .info, label: "concord.controller", message: "Reconciler error", metadata: ["name": "us-east", "error": "two words"])
        #expect(line == "T INFO concord.controller: Reconciler error error=\"two words\" name=us-east\n")
        let nested = ConcordLogHandler.render(format: .text, timestamp: "T", level: .error, label: "c", message: "m", metadata: ["Datacenter": ["name": "us-east"]])
        #expect(nested == "T ERROR c: m Datacenter=\"{\\\"name\\\":\\\"us-east\\\"}\"\n")
    }
}
