import Foundation
import KubernetesAPI
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real kubectl's `create deployment` and `create service …` against `concord server`: kubectl
/// 1.32+ sends these as protobuf, and the server stores everything the command's
/// `--dry-run=client -o json` shows it would send.
@Suite(.serialized) struct KubectlCreateWorkloadTests {
    static let commands: [(created: String, args: [String])] = [
        ("deployment.apps/web created", ["create", "deployment", "web", "--image=nginx:1.27", "--port=8080", "--replicas=3", "--", "/bin/sh", "-c", "sleep 1"]),
        ("deployment.apps/idle created", ["create", "deployment", "idle", "--image=busybox", "--replicas=0"]),
        ("service/web created", ["create", "service", "clusterip", "web", "--tcp=80:8080", "--tcp=443"]),
        ("service/hl created", ["create", "service", "clusterip", "hl", "--clusterip=None"]),
        ("service/np created", ["create", "service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080"]),
        ("service/lb created", ["create", "service", "loadbalancer", "lb", "--tcp=80:8080"]),
        ("service/ext created", ["create", "service", "externalname", "ext", "--external-name=db.example.com"]),
    ]

    @Test func createdWorkloadsHoldWhatKubectlSent() async throws {
        let dir = try makeTempDirectory("kubectl-create")
        defer { removeTestDirectory(dir) }
        let server = try await ServerProcess.start(dataDir: dir.appendingPathComponent("data"))
        defer { server.process.signal(SIGKILL) }
        let k = try Kubectl(kubeconfig: server.kubeconfig)
        #expect(try await k("create", "namespace", "shop").succeeded)
        for (created, args) in Self.commands {
            let dryRun = try await k.run(["-n", "shop"] + args.prefix { $0 != "--" } + ["--dry-run=client", "-o", "json"] + args.drop { $0 != "--" })
            let sent = try CompactJSON.decode(Data(dryRun.stdout.utf8))
            let result = try await k.run(["-n", "shop"] + args)
            #expect(result.stdout.contains(created), "\(args.joined(separator: " ")): \(result.stdout) \(result.stderr)")
            let kind = sent["kind"]?.stringValue ?? "", name = sent["metadata"]?["name"]?.stringValue ?? ""
            let got = try await k("-n", "shop", "get", kind.lowercased(), name, "-o", "json")
            let stored = try CompactJSON.decode(Data(got.stdout.utf8))
            #expect(stored["metadata"]?["labels"] == sent["metadata"]?["labels"], "\(name)")
            let missing = Self.missing(sent["spec"], from: stored["spec"], at: "spec")
            #expect(missing.isEmpty, "\(kind) \(name) lacks what kubectl sent: \(missing)")
        }
        // What the server made of them, as a person reads it.
        #expect(try await k("-n", "shop", "get", "deployment", "idle", "-o", "jsonpath={.spec.replicas}").stdout == "0")
        let ports = try await k("-n", "shop", "get", "service", "np", "-o", "jsonpath={.spec.type} {.spec.ports[0].nodePort} {.spec.ports[0].targetPort}")
        #expect(ports.stdout == "NodePort 30080 8080")
        let command = try await k("-n", "shop", "get", "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[0].command}")
        #expect(command.stdout == #"["/bin/sh","-c","sleep 1"]"#)
        // Sorting on a field outside metadata (kubectl asks the server for whole objects in the table rows).
        let sorted = try await k("-n", "shop", "get", "deployments", "--sort-by=.spec.replicas", "--no-headers", "-o", "custom-columns=NAME:.metadata.name")
        #expect(sorted.stdout.split(separator: "\n") == ["idle", "web"], "\(sorted.stdout) \(sorted.stderr)")
        let table = try await k("-n", "shop", "get", "services", "--sort-by=.spec.type")
        #expect(table.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ").first ?? "" } == ["hl", "web", "ext", "lb", "np"], "\(table.stdout) \(table.stderr)")
    }

    /// Paths in `sent` whose value `stored` lacks or differs at (objects compared member by member,
    /// arrays element by element; a null or an empty object sent counts as nothing).
    static func missing(_ sent: JSONValue?, from stored: JSONValue?, at path: String) -> [String] {
        switch (sent, stored) {
        case (.object(let want)?, .object(let have)?):
            return want.keys.sorted().flatMap { missing(want[$0], from: have[$0], at: "\(path).\($0)") }
        case (.array(let want)?, .array(let have)?) where want.count == have.count:
            return want.indices.flatMap { missing(want[$0], from: have[$0], at: "\(path)[\($0)]") }
        case (.object(let want)?, nil) where want.isEmpty:
            return []
        case (.null?, nil):
            // Go's JSON writes an unset time as null (`creationTimestamp: null`): the same as absent.
            return []
        default:
            return sent == stored ? [] : ["\(path): sent \(sent.map { "\($0)" } ?? "nothing"), stored \(stored.map { "\($0)" } ?? "nothing")"]
        }
    }
}
