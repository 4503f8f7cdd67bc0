import Foundation
import KubernetesAPI
import Logging
import ServiceLifecycle

/// The workload simulator of `concord server --simulate-workloads`, driven by the store's watches of
/// Deployments and Services.
///
/// A Deployment whose status does not reflect its spec gets, `delay` later, the status of a finished
/// rollout (all replicas ready, `Available` and `Progressing` True, `observedGeneration`) and the label
/// `concord.dev/simulated: "true"`. Every Service with a selector gets an EndpointSlice
/// `<service>-simulated` (labelled `kubernetes.io/service-name` and `concord.dev/simulated`, owned by the
/// Service) with one synthetic 10.N.x.y address (N: ``WorkloadSimulation/podNetwork``) per ready replica of the Deployments it selects, kept in
/// step as they change.
struct WorkloadSimulator: Service {
    let handler: ResourceHandler
    let simulation: WorkloadSimulation
    let logger: Logger

    static let deployments = "deployments.apps"
    static let services = "services"
    static let endpointSlices = "endpointslices.discovery.k8s.io"

    private enum Input: Sendable {
        case listed([StoredObject])
        case events([StorageEvent])
        case due(StorageKey, generation: Int64)
    }

    /// Runs until graceful shutdown or cancellation.
    func run() async throws {
        let (inputs, continuation) = AsyncStream<Input>.makeStream()
        await withDiscardingTaskGroup { group in
            for resource in [Self.deployments, Self.services] {
                group.addTask { await follow(resource, into: continuation) }
            }
            // Deployment key → the generation whose rollout is scheduled.
            var scheduled: [StorageKey: Int64] = [:]
            for await input in inputs.cancelOnGracefulShutdown() {
                var changed: [StoredObject] = []
                switch input {
                case .listed(let objects):
                    changed = objects
                case .events(let events):
                    changed = events.filter { $0.type != .deleted }.map { StoredObject(key: $0.key, object: $0.object, revision: $0.revision) }
                    // A deleted Deployment takes its endpoints away.
                    for event in events where event.type == .deleted && event.key.resource == Self.deployments {
                        await syncServices(namespace: event.key.namespace)
                    }
                case .due(let key, let generation):
                    if scheduled[key] == generation { scheduled[key] = nil }
                    await rollOut(key, generation: generation)
                    await syncServices(namespace: key.namespace)
                    continue
                }
                var namespaces = Set<String>()
                for object in changed {
                    namespaces.insert(object.key.namespace)
                    guard object.key.resource == Self.deployments, !SimulatedObjects.deploymentIsCurrent(object.object),
                        object.object.value(at: ["metadata", "deletionTimestamp"]) == nil
                    else { continue }
                    let generation = object.object.value(at: ["metadata", "generation"])?.intValue ?? 1
                    guard scheduled[object.key] != generation else { continue }
                    scheduled[object.key] = generation
                    let clock = simulation.clock, delay = simulation.delay, key = object.key
                    group.addTask {
                        do { try await clock.sleep(for: delay) } catch { return }
                        continuation.yield(.due(key, generation: generation))
                    }
                }
                for namespace in namespaces.sorted() { await syncServices(namespace: namespace) }
            }
            continuation.finish()
            group.cancelAll()
        }
    }

    /// Lists a resource, then forwards its watch; relists when the watch expires.
    private func follow(_ resource: String, into continuation: AsyncStream<Input>.Continuation) async {
        await handler.store.follow(
            resource, clock: simulation.clock, retryInterval: .seconds(1), logger: logger, what: "Workload simulator watch",
            listed: { objects, _ in continuation.yield(.listed(objects)) }, changed: { continuation.yield(.events($0)) })
    }

    /// Writes the finished-rollout status of a Deployment (if it still is at `generation`).
    private func rollOut(_ key: StorageKey, generation: Int64) async {
        guard let definition = handler.registry.definition(storageResource: Self.deployments) else { return }
        let now = handler.now()
        do {
            _ = try await handler.write(
                definition, namespace: key.namespace, name: key.name, expectedRevision: nil, options: try Self.writeOptions()
            ) { current in
                guard current.value(at: ["metadata", "generation"])?.intValue ?? 1 == generation,
                    current.value(at: ["metadata", "deletionTimestamp"]) == nil
                else { return current }
                var o = current
                o["status"] = SimulatedObjects.deploymentStatus(for: current, now: now)
                o.setValue("true", at: ["metadata", "labels", WorkloadSimulation.simulatedLabel])
                return o
            }
        } catch let e as APIError where e.code == 404 {
            return
        } catch {
            logger.warning("Simulated rollout failed", metadata: ["deployment": "\(key)", "error": "\(error)"])
        }
    }

    /// Brings the simulated EndpointSlice of every Service in `namespace` in step with its Deployments.
    private func syncServices(namespace: String) async {
        guard let sliceDefinition = handler.registry.definition(storageResource: Self.endpointSlices) else { return }
        do {
            let (services, _) = try await handler.store.list(resource: Self.services, namespace: namespace)
            let (deployments, _) = try await handler.store.list(resource: Self.deployments, namespace: namespace)
            for service in services {
                let spec = service.object["spec"] ?? [:]
                guard !(spec["selector"]?.objectValue ?? [:]).isEmpty, spec["type"]?.stringValue != "ExternalName",
                    service.object.value(at: ["metadata", "deletionTimestamp"]) == nil
                else { continue }
                let desired = SimulatedObjects.endpointSlice(for: service.object, deployments: deployments.map(\.object), network: simulation.podNetwork)
                try await apply(desired, definition: sliceDefinition, namespace: namespace)
            }
        } catch {
            logger.warning("Simulated endpoints failed", metadata: ["namespace": "\(namespace)", "error": "\(error)"])
        }
    }

    /// Creates the slice, or updates its endpoints, ports and labels when they differ.
    private func apply(_ desired: JSONValue, definition: ResourceDefinition, namespace: String) async throws {
        let name = desired.value(at: ["metadata", "name"])?.stringValue ?? ""
        let key = handler.key(definition, namespace: namespace, name: name)
        guard let current = try await handler.store.get(key) else {
            do {
                _ = try await handler.create(definition, namespace: namespace, body: desired, options: try Self.writeOptions())
            } catch let e as APIError where e.code == 409 {
                return
            }
            return
        }
        func relevant(_ o: JSONValue) -> [JSONValue?] {
            [o["endpoints"], o["ports"], o.value(at: ["metadata", "labels"]), o.value(at: ["metadata", "ownerReferences"])]
        }
        guard relevant(current.object) != relevant(desired) else { return }
        _ = try await handler.write(definition, namespace: namespace, name: name, expectedRevision: nil, options: try Self.writeOptions()) { old in
            var o = old
            o["endpoints"] = desired["endpoints"]
            o["ports"] = desired["ports"]
            o["addressType"] = desired["addressType"]
            o.setValue(desired.value(at: ["metadata", "labels"]), at: ["metadata", "labels"])
            o.setValue(desired.value(at: ["metadata", "ownerReferences"]), at: ["metadata", "ownerReferences"])
            return o
        }
    }

    static func writeOptions() throws -> WriteOptions {
        try WriteOptions(QueryParameters(["fieldManager": "concord-workload-simulator", "fieldValidation": "Ignore"]))
    }
}
