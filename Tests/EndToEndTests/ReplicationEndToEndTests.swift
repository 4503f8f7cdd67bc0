import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A ReplicationRule on `concord up`, driven with the real kubectl as a user would: replicas with
/// their annotations, `kubectl get rr` Synced, an edit restored and listed, a Manual conflict
/// resolved with `concord replication resolve`, a deletion propagated, residency kept, and a
/// NetworkPolicy carried like a ConfigMap.
@Suite(.serialized) struct ReplicationEndToEndTests {
    static let rule = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: ReplicationRule
        metadata: {name: global-config, namespace: shop}
        spec:
          resources:
          - {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {scope: global}}}
          - {apiVersion: v1, kind: Secret, namePrefix: "global-"}
          - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, selector: {matchLabels: {scope: global}}}
        """

    /// An intention: a NetworkPolicy the rule carries like any other kind.
    static let intention = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: db-from-api, namespace: shop, labels: {scope: global}}
        spec:
          podSelector: {matchLabels: {app: db}}
          policyTypes: [Ingress]
          ingress:
          - from: [{podSelector: {matchLabels: {app: api}}}]
            ports: [{protocol: TCP, port: 5432}]
        """

    @Test func replicatesRestoresResolvesAndDeletesWithKubectl() async throws {
        let dir = try makeTempDirectory("concord-replication")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir)
        var stoppedCleanly = false
        defer { if !stoppedCleanly { fed.killAll() } }
        let hub = fed.hub, hubConfig = fed.hubConfig, up = fed.up, members = fed.members
        let east = try #require(members["us-east"]), west = try #require(members["us-west"]), eu = try #require(members["eu-central"])
        let data = { (k: Kubectl, name: String) async throws -> String in
            try await k("get", "cm", name, "-n", "shop", "-o", "jsonpath={.data}", "--ignore-not-found").stdout
        }

        for args in [
            ["create", "namespace", "shop"], ["-n", "shop", "create", "configmap", "flags", "--from-literal=color=blue"],
            ["-n", "shop", "label", "configmap", "flags", "scope=global"], ["-n", "shop", "create", "configmap", "eu-customers", "--from-literal=count=3"],
            ["-n", "shop", "label", "configmap", "eu-customers", "scope=global", "federation.concord.dev/residency=eu"],
            ["-n", "shop", "create", "secret", "generic", "global-ca", "--from-literal=ca.crt=CA"],
        ] {
            let r = try await east.run(args)
            #expect(r.succeeded, "\(args): \(r.stderr)")
        }
        let intention = try await east("apply", "-f", "-", stdin: Self.intention)
        #expect(intention.succeeded, "\(intention.stderr)")
        #expect(try await hub("create", "namespace", "shop").succeeded)
        let applied = try await hub("apply", "-f", "-", stdin: Self.rule)
        #expect(applied.succeeded, "\(applied.stderr)")

        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            let targets = try await hub("get", "rr", "global-config", "-n", "shop", "-o", "jsonpath={.status.targets[*].state}").stdout
            return targets == "Synced Synced"
        })
        let table = try await hub("get", "rr", "-n", "shop").stdout
        #expect(table.contains("global-config") && table.contains("us-east"), "\(table)")
        #expect(try await data(west, "flags") == #"{"color":"blue"}"#)
        #expect(try await data(eu, "eu-customers") == #"{"count":"3"}"#)
        #expect(try await data(west, "eu-customers") == "", "residency: an eu object never lands in us-west")
        #expect(try await west("get", "secret", "global-ca", "-n", "shop").succeeded)
        #expect(try await eu("get", "netpol", "db-from-api", "-n", "shop", "-o", "jsonpath={.spec.ingress[0].ports[0].port}").stdout == "5432")
        #expect(try await west("get", "netpol", "-n", "shop").stdout.contains("app=db"))
        let annotations = try await west("get", "cm", "flags", "-n", "shop", "-o", "jsonpath={.metadata.annotations}").stdout
        for key in ["source-datacenter", "source-revision", "epoch", "content-hash", "rule", "hlc"] {
            #expect(annotations.contains("federation.concord.dev/\(key)"), "\(annotations)")
        }

        // SourceWins: an edit in a member is restored and listed.
        #expect(try await west("-n", "shop", "patch", "configmap", "flags", "--type", "merge", "-p", #"{"data":{"color":"red"}}"#).succeeded)
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            let conflicts = try await hub("get", "rr", "global-config", "-n", "shop", "-o", "jsonpath={.status.conflicts[*].name}").stdout
            return try await data(west, "flags") == #"{"color":"blue"}"# && conflicts == "flags"
        })

        // Manual: kept and listed until resolved with the command.
        #expect(try await hub("-n", "shop", "patch", "rr", "global-config", "--type", "merge", "-p", #"{"spec":{"conflictResolution":"Manual"}}"#).succeeded)
        #expect(try await eu("-n", "shop", "patch", "configmap", "flags", "--type", "merge", "-p", #"{"data":{"color":"local"}}"#).succeeded)
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            try await hub("get", "rr", "global-config", "-n", "shop", "-o", #"jsonpath={.status.conditions[?(@.type=="Ready")].reason}"#).stdout == "ManualResolutionRequired"
        })
        #expect(try await data(eu, "flags") == #"{"color":"local"}"#)
        let resolved = try await run(try concordBinary(), ["replication", "resolve", "global-config", "flags", "-n", "shop", "--keep", "source", "--kubeconfig", hubConfig])
        #expect(resolved.succeeded, "\(resolved.stdout)\(resolved.stderr)")
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) { try await data(eu, "flags") == #"{"color":"blue"}"# })

        // Deleting the source removes the replicas.
        #expect(try await east("-n", "shop", "delete", "configmap", "flags").succeeded)
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            let w = try await data(west, "flags"), e = try await data(eu, "flags")
            return w.isEmpty && e.isEmpty
        })

        up.signal(SIGINT)
        let exit = await up.waitForExit(timeout: .seconds(30))
        #expect(exit == 0, "concord up did not exit cleanly:\n\(up.log)")
        stoppedCleanly = exit == 0
    }
}
