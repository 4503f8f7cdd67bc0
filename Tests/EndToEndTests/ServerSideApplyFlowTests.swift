import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real kubectl's server-side apply against `concord server`: create, update, conflicts, force, removal
/// of dropped fields, migration from client-side apply, and managedFields as `get --show-managed-fields` shows them.
@Suite(.serialized) struct ServerSideApplyFlowTests {
    static func configMap(_ data: [(String, String)]) -> String {
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: demo\ndata:\n"
            + data.map { "  \($0.0): \"\($0.1)\"\n" }.joined()
    }

    static let datacenter = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: Datacenter
        metadata:
          name: eu-west
          labels: {geo: eu}
        spec:
          region: eu-west-1
          zone: eu-west-1a
          provider: aws
          credentialsRef: {namespace: concord-system, name: eu-west-kubeconfig, key: kubeconfig}

        """

    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: demo}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: app
                image: nginx:1.27
              - name: sidecar
                image: busybox:1.36
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: demo}
        spec:
          selector: {app: web}
          ports:
          - port: 80
            targetPort: 8080

        """

    @Test(arguments: E2EStorage.allCases)
    func serverSideApplyFlows(storage: E2EStorage) async throws {
        let dir = try makeTempDirectory("kubectl-ssa")
        defer { removeTestDirectory(dir) }
        let server = try await ServerProcess.start(
            dataDir: dir.appendingPathComponent("data"), logName: "ssa-server", extraArguments: try await storage.serverArguments())
        defer { server.process.signal(SIGKILL) }
        let k = try Kubectl(kubeconfig: server.kubeconfig)
        #expect(try await k("create", "namespace", "demo").succeeded)

        // Create: 201, an Apply entry for kubectl.
        let created = try await k("apply", "--server-side", "-f", "-", "-v=6", stdin: Self.configMap([("a", "1"), ("b", "2")]))
        #expect(created.stdout.contains("configmap/cfg serverside-applied"), "\(created.stdout) \(created.stderr)")
        #expect(created.stderr.contains("201 Created"), "\(created.stderr)")
        let yaml = try await k("get", "configmap", "cfg", "-n", "demo", "-o", "yaml", "--show-managed-fields")
        for line in ["managedFields:", "manager: kubectl", "operation: Apply", "fieldsType: FieldsV1", "f:data:", "f:a: {}", "f:b: {}", "time: "] {
            #expect(yaml.stdout.contains(line), "missing \(line) in \(yaml.stdout)")
        }
        let plain = try await k("get", "configmap", "cfg", "-n", "demo", "-o", "yaml")
        #expect(!plain.stdout.contains("managedFields"), "kubectl hides managedFields unless asked")

        // Update.
        let updated = try await k("apply", "--server-side", "-f", "-", "-v=6", stdin: Self.configMap([("a", "10"), ("b", "2")]))
        #expect(updated.stdout.contains("serverside-applied") && updated.stderr.contains("200 OK"), "\(updated.stderr)")
        #expect(try await k("get", "configmap", "cfg", "-n", "demo", "-o", "jsonpath={.data.a}").stdout == "10")

        // Another manager changes a field; applying a different value conflicts, naming field and manager.
        let patched = try await k("patch", "configmap", "cfg", "-n", "demo", "--type=merge", "-p", #"{"data":{"a":"patched"}}"#)
        #expect(patched.succeeded, "\(patched.stderr)")
        let patchEntry = try await k("get", "configmap", "cfg", "-n", "demo", "-o", #"jsonpath={.metadata.managedFields[?(@.manager=="kubectl-patch")].operation}"#)
        #expect(patchEntry.stdout == "Update", "\(patchEntry.stdout) \(patchEntry.stderr)")
        let conflict = try await k("apply", "--server-side", "-f", "-", stdin: Self.configMap([("a", "11"), ("b", "2")]))
        #expect(!conflict.succeeded)
        #expect(conflict.stderr.contains(#"Apply failed with 1 conflict: conflict with "kubectl-patch": .data.a"#), "\(conflict.stderr)")
        #expect(conflict.stderr.contains("--force-conflicts"))
        #expect(try await k("get", "configmap", "cfg", "-n", "demo", "-o", "jsonpath={.data.a}").stdout == "patched")

        // --force-conflicts takes the field.
        let forced = try await k("apply", "--server-side", "--force-conflicts", "-f", "-", stdin: Self.configMap([("a", "11"), ("b", "2")]))
        #expect(forced.succeeded, "\(forced.stderr)")
        #expect(try await k("get", "configmap", "cfg", "-n", "demo", "-o", "jsonpath={.data.a}").stdout == "11")
        let stillPatcher = try await k("get", "configmap", "cfg", "-n", "demo", "-o", #"jsonpath={.metadata.managedFields[?(@.manager=="kubectl-patch")].manager}"#)
        #expect(stillPatcher.stdout.isEmpty, "kubectl-patch owned nothing else and is gone: \(stillPatcher.stdout)")

        // A field dropped from the configuration is removed when nobody else owns it.
        let dropped = try await k("apply", "--server-side", "-f", "-", stdin: Self.configMap([("a", "11")]))
        #expect(dropped.succeeded, "\(dropped.stderr)")
        #expect(try await k("get", "configmap", "cfg", "-n", "demo", "-o", "jsonpath={.data}").stdout == #"{"a":"11"}"#)

        // dry-run=server changes nothing.
        let dry = try await k("apply", "--server-side", "--dry-run=server", "-f", "-", stdin: Self.configMap([("a", "12")]))
        #expect(dry.succeeded && dry.stdout.contains("(server dry run)"), "\(dry.stdout) \(dry.stderr)")
        #expect(try await k("get", "configmap", "cfg", "-n", "demo", "-o", "jsonpath={.data.a}").stdout == "11")

        // Built-in kinds with list-maps: containers by name, ports by port.
        let apps = try await k("apply", "--server-side", "-f", "-", stdin: Self.deployment)
        #expect(apps.stdout.contains("deployment.apps/web serverside-applied") && apps.stdout.contains("service/web serverside-applied"), "\(apps.stdout) \(apps.stderr)")
        let deployFields = try await k("get", "deployment", "web", "-n", "demo", "-o", "yaml", "--show-managed-fields")
        #expect(deployFields.stdout.contains(#"k:{"name":"app"}"#) && deployFields.stdout.contains(#"k:{"name":"sidecar"}"#), "\(deployFields.stdout)")
        let serviceFields = try await k("get", "service", "web", "-n", "demo", "-o", "yaml", "--show-managed-fields")
        #expect(serviceFields.stdout.contains(#"k:{"port":80,"protocol":"TCP"}"#), "\(serviceFields.stdout)")
        let scaled = try await k("patch", "deployment", "web", "-n", "demo", "--type=merge", "-p", #"{"spec":{"replicas":3}}"#)
        #expect(scaled.succeeded, "\(scaled.stderr)")
        let reapplied = try await k("apply", "--server-side", "-f", "-", stdin: Self.deployment)
        #expect(!reapplied.succeeded && reapplied.stderr.contains(".spec.replicas"), "\(reapplied.stdout) \(reapplied.stderr)")
        let oneContainer = Self.deployment.replacingOccurrences(of: "      - name: sidecar\n        image: busybox:1.36\n", with: "")
        #expect(oneContainer != Self.deployment)
        let narrowed = try await k("apply", "--server-side", "--force-conflicts", "-f", "-", stdin: oneContainer)
        #expect(narrowed.succeeded, "\(narrowed.stderr)")
        #expect(try await k("get", "deployment", "web", "-n", "demo", "-o", "jsonpath={.spec.template.spec.containers[*].name}").stdout == "app")

        // Client-side apply, then server-side apply: kubectl migrates the client-side ownership.
        let crds = try await k("apply", "-f", Repo.crds)
        #expect(crds.succeeded, "\(crds.stderr)")
        #expect(try await k("wait", "--for=condition=Established", "crd/datacenters.federation.concord.dev", "--timeout=20s").succeeded)
        let clientSide = try await k("apply", "-f", "-", stdin: Self.datacenter)
        #expect(clientSide.stdout.contains("datacenter.federation.concord.dev/eu-west created"), "\(clientSide.stderr)")
        let csaManagers = try await k("get", "dc", "eu-west", "-o", "jsonpath={.metadata.managedFields[*].manager}")
        #expect(csaManagers.stdout == "kubectl-client-side-apply", "\(csaManagers.stdout)")
        let changedZone = try await k("apply", "--server-side", "-f", "-", stdin: Self.datacenter.replacingOccurrences(of: "eu-west-1a", with: "eu-west-1b"))
        #expect(changedZone.stderr.contains(#"conflict with "kubectl-client-side-apply": .spec.zone"#), "\(changedZone.stderr)")
        let migrated = try await k("apply", "--server-side", "-f", "-", "-v=6", stdin: Self.datacenter)
        #expect(migrated.stdout.contains("datacenter.federation.concord.dev/eu-west serverside-applied"), "\(migrated.stdout) \(migrated.stderr)")
        #expect(migrated.stderr.contains("fieldManager=kubectl-last-applied"), "kubectl did not migrate: \(migrated.stderr)")
        let managers = try await k("get", "dc", "eu-west", "-o", #"jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation};{end}"#)
        #expect(!managers.stdout.contains("kubectl-client-side-apply"), "\(managers.stdout)")
        #expect(managers.stdout.contains("kubectl/Apply"), "\(managers.stdout)")
        let withoutLabel = Self.datacenter.replacingOccurrences(of: "  labels: {geo: eu}\n", with: "").replacingOccurrences(of: "eu-west-1a", with: "eu-west-1b")
        let relabeled = try await k("apply", "--server-side", "-f", "-", stdin: withoutLabel)
        #expect(relabeled.succeeded, "\(relabeled.stderr)")
        let labels = try await k("get", "dc", "eu-west", "-o", "jsonpath={.metadata.labels}")
        #expect(!labels.stdout.contains("geo"), "the migrated label is owned by kubectl alone and goes: \(labels.stdout)")
        #expect(try await k("get", "dc", "eu-west", "-o", "jsonpath={.spec.zone}").stdout == "eu-west-1b", "kubectl owns the zone alone now")
    }
}
