import FederationAPI
import Foundation
import KubeClient

/// `restore --datacenter NAME --to-kubeconfig NEW`: checks everything it needs before writing
/// anything, writes NAME's archived objects into the new control plane, then re-federates it by
/// pointing NAME's credentials Secret at the hub to the new control plane.
struct MemberRestore {
    let archive: BackupArchive
    let hub: KubeClient
    let datacenter: String

    func run(kubeconfigPath: String, wait: Bool) async throws {
        guard let objects = archive.content.members[datacenter] else {
            let known = archive.content.members.keys.sorted().joined(separator: ", ")
            throw CLIError("the backup holds no datacenter \(datacenter): it holds \(known.isEmpty ? "none" : known)")
        }
        guard let archived = archive.content.hub.first(where: { $0["kind"]?.stringValue == Datacenter.kind && $0["metadata"]?["name"]?.stringValue == datacenter }) else {
            throw CLIError("the backup holds no Datacenter \(datacenter) from the hub")
        }
        let dc = try archived.decode(Datacenter.self)
        guard let ref = dc.spec.credentialsRef else {
            throw CLIError(
                "datacenter \(datacenter) is in Pull mode: restore its objects with --hub, "
                    + "then start `concord agent --datacenter \(datacenter)` against the new control plane")
        }
        let kubeconfig: String
        do {
            kubeconfig = try String(contentsOfFile: kubeconfigPath, encoding: .utf8)
        } catch {
            throw CLIError("cannot read --to-kubeconfig \(kubeconfigPath): \(error.localizedDescription)")
        }
        let member = try KubeClient(configuration: ClientConfiguration.fromKubeconfig(text: kubeconfig, source: kubeconfigPath))
        do {
            try await restore(objects, into: member, dc: dc, ref: ref, kubeconfig: kubeconfig, wait: wait)
        } catch {
            try? await member.shutdown()
            throw error
        }
        try await member.shutdown()
    }

    private func restore(_ objects: [JSONValue], into member: KubeClient, dc: Datacenter, ref: SecretKeyReference, kubeconfig: String, wait: Bool) async throws {
        let server = member.configuration?.displayServer ?? "?"
        let version: ServerVersion
        do {
            version = try await member.serverVersion()
        } catch let error as KubeTransportError {
            throw CLIError(UnreachableServer.sentence(error, what: "the new control plane", server: server, flag: "--to-kubeconfig"))
        } catch {
            throw CLIError("cannot read the version of the new control plane at \(server) (\(error)): is --to-kubeconfig right?")
        }
        // The hub must be reachable before the member is written to, so a failure writes nothing.
        _ = try await hub.resource(FederationPolicy.self).list()

        var writer = RestoreWriter(client: member, target: "datacenter \(datacenter)")
        let written = try await writer.write(objects, withStatus: false)
        print("Restored \(BackupCommand.objects(written)) into \(datacenter) at \(server) (\(version.gitVersion ?? "unknown version"))")

        let datacenters = hub.resource(Datacenter.self)
        do {
            _ = try await datacenters.get(datacenter)
        } catch let error as KubeAPIError where error.isNotFound {
            var fresh = dc
            fresh.status = nil
            fresh.metadata = ObjectMeta(name: datacenter, labels: dc.metadata.labels, annotations: dc.metadata.annotations)
            _ = try await datacenters.create(fresh)
            print("Re-created Datacenter \(datacenter) at the hub")
        }
        try await writeCredentials(kubeconfig, ref: ref)
        try await announceCredentials(ref: ref)
        let pointed = ContinuousClock.now
        print("Pointed Secret \(ref.effectiveNamespace)/\(ref.name) at \(server): the controller re-federates \(datacenter)")
        if wait { try await waitUntilFederated(member, since: pointed) }
    }

    /// Creates or updates the credentials Secret with the new kubeconfig under its key.
    private func writeCredentials(_ kubeconfig: String, ref: SecretKeyReference) async throws {
        let secrets = hub.resource(Secret.self)
        let encoded = Data(kubeconfig.utf8).base64EncodedString()
        do {
            var current = try await secrets.get(ref.name, namespace: ref.effectiveNamespace)
            current.data = (current.data ?? [:]).merging([ref.effectiveKey: encoded]) { $1 }
            _ = try await secrets.update(current)
        } catch let error as KubeAPIError where error.isNotFound {
            var writer = RestoreWriter(client: hub, target: "the hub")
            let archived = archive.content.hub.first {
                $0["kind"]?.stringValue == "Secret" && $0["metadata"]?["name"]?.stringValue == ref.name
                    && $0["metadata"]?["namespace"]?.stringValue == ref.effectiveNamespace
            }
            var secret = archived ?? ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(ref.name), "namespace": .string(ref.effectiveNamespace)]]
            secret.setValue(.string(encoded), at: ["data", ref.effectiveKey])
            try await writer.write(secret, withStatus: false)
        }
    }

    /// Sets the Datacenter's credentials-revision annotation to the Secret's new resourceVersion:
    /// the change wakes the controller, which reads the Secret again and reconnects at once.
    private func announceCredentials(ref: SecretKeyReference) async throws {
        let revision = try await hub.resource(Secret.self).get(ref.name, namespace: ref.effectiveNamespace).metadata.resourceVersion ?? ""
        let patch: JSONValue = ["metadata": ["annotations": .object([Datacenter.credentialsRevisionAnnotation: .string(revision)])]]
        _ = try await hub.resource(Datacenter.self).patch(datacenter, type: .merge, patch: patch)
    }

    /// Polls until the Datacenter is Ready with a role and the member's marker holds the epoch of
    /// every policy that counts it as a member.
    private func waitUntilFederated(_ member: KubeClient, since pointed: ContinuousClock.Instant) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var last = "not read yet"
        while clock.now < deadline {
            let dc = try await hub.resource(Datacenter.self).get(datacenter)
            let policies = try await hub.resource(FederationPolicy.self).list().items.filter {
                $0.status?.members.contains { $0.name == datacenter } ?? false
            }
            let marker = try? await member.resource(ConfigMap.self).get(FencingMarker.name, namespace: FencingMarker.namespace)
            let epoch = marker.flatMap { FencingMarker(configMap: $0) }?.epoch
            let current = policies.compactMap { $0.status?.epoch }.max()
            last = "phase \(dc.status?.phase?.rawValue ?? "Pending"), role \(dc.status?.role?.rawValue ?? "none"), "
                + "marker epoch \(epoch.map(String.init) ?? "none"), federation epoch \(current.map(String.init) ?? "none")"
            if dc.status?.phase == .ready, let role = dc.status?.role, epoch == current {
                let seconds = String(format: "%.1f", DemoRun.seconds(clock.now - pointed))
                print("\(datacenter) is back: Ready, \(role.rawValue), epoch \(epoch.map(String.init) ?? "none") (\(seconds) s after its credentials were re-pointed)")
                return
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw CLIError("\(datacenter) was restored but is not re-federated after 120 s (\(last)): see `kubectl describe dc \(datacenter)` and the controller log")
    }
}
