import FederationAPI
import Foundation
import KubeClient

/// The API calls `concord up` makes: wait for a control plane, install the CRDs, register members,
/// and wait until they are Ready.
struct HubBootstrap {
    let client: KubeClient

    /// Waits until the control plane started as `child` has written its kubeconfig and answers `/readyz`.
    static func waitForServer(name: String, kubeconfig: String, child: ChildProcess, timeout: Duration = .seconds(60)) async throws -> HubBootstrap {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var client: KubeClient?
        while clock.now < deadline {
            guard child.isRunning else {
                try? await client?.shutdown()
                throw UpError("the \(name) control plane exited during start-up; see \(child.logPath)")
            }
            if client == nil, FileManager.default.fileExists(atPath: kubeconfig) {
                client = try KubeClient(kubeconfigPath: kubeconfig)
            }
            if let client {
                let probe = await client.probeHealth(timeout: .seconds(2))
                if probe.healthy { return HubBootstrap(client: client) }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        try? await client?.shutdown()
        throw UpError("the \(name) control plane did not become ready within \(timeout); see \(child.logPath)")
    }

    /// Creates or updates the four CRDs and waits until each is Established. Returns how many.
    func installCRDs() async throws -> Int {
        let crds = client.dynamic(
            GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions"),
            namespaced: false, kind: "CustomResourceDefinition")
        for crd in FederationCRDs.all {
            let name = crd["metadata"]?["name"]?.stringValue ?? ""
            do {
                _ = try await crds.create(crd)
            } catch let error as KubeAPIError where error.isAlreadyExists {
                var current = try await crds.get(name)
                current["spec"] = crd["spec"]
                _ = try await crds.update(current)
            }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        for crd in FederationCRDs.all {
            let name = crd["metadata"]?["name"]?.stringValue ?? ""
            while true {
                let current = try await crds.get(name)
                let established = current["status"]?["conditions"]?.arrayValue?.contains {
                    $0["type"]?.stringValue == "Established" && $0["status"]?.stringValue == "True"
                } ?? false
                if established { break }
                guard clock.now < deadline else { throw UpError("CRD \(name) was not Established within 30 s") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        return FederationCRDs.all.count
    }

    /// Stores the member's kubeconfig in a Secret and creates its Datacenter (kept as is when it exists).
    func register(member: UpLayout.Member, kubeconfig: String) async throws {
        let secretName = "\(member.name)-kubeconfig"
        let secret = Secret(
            metadata: ObjectMeta(name: secretName, namespace: FederationGroup.systemNamespace, labels: ["app.kubernetes.io/managed-by": "concord-up"]),
            data: [SecretKeyReference.defaultKey: Data(kubeconfig.utf8).base64EncodedString()])
        let secrets = client.resource(Secret.self)
        do {
            _ = try await secrets.create(secret, namespace: FederationGroup.systemNamespace)
        } catch let error as KubeAPIError where error.isAlreadyExists {
            var current = try await secrets.get(secretName, namespace: FederationGroup.systemNamespace)
            current.data = secret.data
            _ = try await secrets.update(current)
        }
        let dc = Datacenter(
            metadata: ObjectMeta(name: member.name, labels: ["federation.concord.dev/local": "true"]),
            spec: DatacenterSpec(
                region: member.region, provider: "concord", mode: .push,
                credentialsRef: SecretKeyReference(namespace: FederationGroup.systemNamespace, name: secretName, key: SecretKeyReference.defaultKey)))
        do {
            _ = try await client.resource(Datacenter.self).create(dc)
        } catch let error as KubeAPIError where error.isAlreadyExists {}
    }

    /// Creates the FederationPolicy `global` over every member with `primary` as the desired primary
    /// (kept as is when it exists, so a re-run keeps the primary in force).
    func createGlobalPolicy(primary: String) async throws {
        let policy = FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(datacenterSelector: LabelSelector(), primary: primary))
        do {
            _ = try await client.resource(FederationPolicy.self).create(policy)
        } catch let error as KubeAPIError where error.isAlreadyExists {}
    }

    /// Polls until the policy `global` has a primary in force; returns it and the epoch.
    func waitForPrimary(timeout: Duration) async throws -> (primary: String, epoch: Int64) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let status = try await client.resource(FederationPolicy.self).get("global").status
            if let primary = status?.primary, let epoch = status?.epoch, epoch > 0 { return (primary, epoch) }
            guard clock.now < deadline else { throw UpError("FederationPolicy global elected no primary within \(timeout); see the controller log") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Polls until a Datacenter exists for every name (agents register their own in Pull mode).
    func waitUntilRegistered(_ names: [String], timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let registered = Set(try await client.resource(Datacenter.self).list().items.compactMap(\.metadata.name))
            let missing = names.filter { !registered.contains($0) }
            if missing.isEmpty { return }
            guard clock.now < deadline else {
                throw UpError("\(missing.joined(separator: ", ")) registered no Datacenter within \(timeout); see their agent logs")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Polls until every named Datacenter is Ready on a probe made after `since` (so a status left
    /// from an earlier run does not count), reporting each once as it turns Ready.
    /// `check` runs before each look and may throw to stop waiting (a process the readiness depends on exited).
    func waitUntilReady(
        _ names: [String], since: Date, timeout: Duration, check: () throws -> Void = {}, onReady: (String, Int?) -> Void
    ) async throws {
        let fresh = KubeTime(since).date
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pending = Set(names)
        while !pending.isEmpty {
            try check()
            let list = try await client.resource(Datacenter.self).list()
            for dc in list.items.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
                guard let name = dc.metadata.name, pending.contains(name), dc.status?.phase == .ready,
                    let probed = dc.status?.lastProbeTime?.date, probed >= fresh
                else { continue }
                pending.remove(name)
                onReady(name, dc.status?.latencyMilliseconds)
            }
            if pending.isEmpty { break }
            guard clock.now < deadline else {
                throw UpError("\(pending.sorted().joined(separator: ", ")) did not become Ready within \(timeout); see the controller log")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The datacenter table with the policies' primary and epoch.
    func statusTable() async throws -> String {
        try await FederationSummary.read(from: client).render(now: Date())
    }

    /// Closes the client.
    func shutdown() async throws { try await client.shutdown() }
}
