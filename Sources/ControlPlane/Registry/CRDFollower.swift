import Foundation
import KubernetesAPI
import Logging
import ServiceLifecycle

/// Keeps the served resources in step with CRDs that other servers sharing the store install, change
/// or delete: it watches the stored CRDs and installs or removes their resources in this server's registry.
///
/// Runs only on stores shared between servers (etcd); on a store of its own a server already changes its
/// registry as it writes. After an expired watch it lists the CRDs again and reconciles the registry;
/// while the store cannot be reached (etcd lost) it tries again every `retryInterval`, then relists.
struct CRDFollower: Service {
    let store: any ObjectStore
    let registry: ResourceRegistry
    /// The revision the registry was last synchronised at (the bootstrap list).
    let syncedAt: Int64
    let clock: any Clock<Duration>
    var retryInterval: Duration = .seconds(1)
    let logger: Logger
    static let resource = "customresourcedefinitions.apiextensions.k8s.io"

    /// Follows the CRDs until graceful shutdown or cancellation.
    func run() async throws {
        var revision = syncedAt
        var mustRelist = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if mustRelist { revision = try await relist() }
                mustRelist = false
                let watch = try await store.watch(resource: Self.resource, namespace: nil, after: revision)
                for try await batch in watch.batches.cancelOnGracefulShutdown() {
                    var newest: [String: Int64] = [:]
                    for event in batch { newest[event.key.name] = max(newest[event.key.name] ?? 0, event.revision) }
                    for (name, revision) in newest { try await reconcile(name, changedAt: revision) }
                    revision = batch.last?.revision ?? revision
                }
                return
            } catch let error as StorageError {
                mustRelist = true
                if case .expired = error.code { continue }
                logger.warning("Following CRDs failed; trying again", metadata: ["error": "\(error)"])
                do { try await clock.sleep(for: retryInterval) } catch { return }
            } catch is CancellationError {
                return
            }
        }
    }

    /// Serves the CRD `name` as it is stored now, or stops serving it when it is gone (it changed at `revision`).
    /// The registry ignores changes older than the newest it applied, so neither a late event nor a read
    /// overtaken by this server's own write undoes a newer state.
    private func reconcile(_ name: String, changedAt revision: Int64) async throws {
        if let current = try await store.get(StorageKey(resource: Self.resource, namespace: "", name: name)) {
            registry.install(crd: current.object, revision: current.revision)
        } else {
            registry.remove(crdNamed: name, revision: revision)
        }
    }

    /// Installs every stored CRD and removes the ones that are gone; returns the list's revision.
    private func relist() async throws -> Int64 {
        let (crds, revision) = try await store.list(resource: Self.resource, namespace: nil)
        let stored = Set(crds.map(\.key.name))
        for crd in crds { registry.install(crd: crd.object, revision: crd.revision) }
        for name in registry.customResourceDefinitionNames where !stored.contains(name) { registry.remove(crdNamed: name, revision: revision) }
        logger.debug("Resynchronised served CRDs", metadata: ["count": "\(crds.count)", "revision": "\(revision)"])
        return revision
    }
}
