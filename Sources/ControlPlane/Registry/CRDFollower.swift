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
                    for name in Set(batch.map(\.key.name)) { try await reconcile(name) }
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

    /// Serves the CRD `name` as it is stored now, or stops serving it when it is gone. Reading the store
    /// (instead of applying the event) keeps a late event from undoing a newer write this server made itself.
    private func reconcile(_ name: String) async throws {
        if let current = try await store.get(StorageKey(resource: Self.resource, namespace: "", name: name)) {
            registry.install(crd: current.object)
        } else {
            registry.remove(crdNamed: name)
        }
    }

    /// Installs every stored CRD and removes the ones that are gone; returns the list's revision.
    private func relist() async throws -> Int64 {
        let (crds, revision) = try await store.list(resource: Self.resource, namespace: nil)
        let stored = Set(crds.map(\.key.name))
        for crd in crds { registry.install(crd: crd.object) }
        for name in registry.customResourceDefinitionNames where !stored.contains(name) { registry.remove(crdNamed: name) }
        logger.debug("Resynchronised served CRDs", metadata: ["count": "\(crds.count)", "revision": "\(revision)"])
        return revision
    }
}
