import KubernetesAPI
import Logging
import ServiceLifecycle

/// Keeps the authorizer's policy current from the store's watches of the four RBAC resources (also writes
/// another server made to a shared store) and aggregates ClusterRoles whenever ClusterRoles change.
struct RBACFollower: Service {
    let handler: ResourceHandler
    let authorizer: RBACAuthorizer
    let clock: any Clock<Duration>
    var retryInterval: Duration = .seconds(1)
    let logger: Logger

    /// Runs until graceful shutdown or cancellation.
    func run() async throws {
        let (changes, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        await withDiscardingTaskGroup { group in
            for resource in RBACPolicy.resources {
                group.addTask { await follow(resource, changes: continuation) }
            }
            for await _ in changes.cancelOnGracefulShutdown() {
                do {
                    try await ClusterRoleAggregation.apply(authorizer.snapshot, handler: handler, authorizer: authorizer)
                } catch {
                    logger.warning("ClusterRole aggregation failed", metadata: ["error": "\(error)"])
                }
            }
            continuation.finish()
            group.cancelAll()
        }
    }

    /// Lists a resource into the policy, then applies its watch; relists when the watch expires.
    private func follow(_ resource: String, changes: AsyncStream<Void>.Continuation) async {
        await handler.store.follow(
            resource, clock: clock, retryInterval: retryInterval, logger: logger, what: "RBAC watch",
            listed: { objects, revision in
                authorizer.update { $0.replace(resource, with: objects, at: revision) }
                if resource == RBACPolicy.clusterRoles { changes.yield() }
            },
            changed: { batch in
                authorizer.update { policy in
                    for event in batch { policy.apply(event) }
                }
                if resource == RBACPolicy.clusterRoles { changes.yield() }
            })
    }
}

/// The RBAC state a control plane starts with.
enum RBACBootstrap {
    /// Creates the default ClusterRoles and ClusterRoleBindings that are missing, loads every RBAC object into
    /// `authorizer` and aggregates ClusterRoles, so the first request is authorized as later ones are.
    static func run(_ handler: ResourceHandler, authorizer: RBACAuthorizer) async throws {
        let registry = handler.registry, group = BuiltinResources.rbacGroup
        guard let roles = registry.lookup(group: group, version: "v1", plural: "clusterroles"),
            let bindings = registry.lookup(group: group, version: "v1", plural: "clusterrolebindings")
        else { return }
        for (definition, objects) in [(roles, BootstrapPolicy.clusterRoles), (bindings, BootstrapPolicy.clusterRoleBindings)] {
            for object in objects {
                let name = object.value(at: ["metadata", "name"])?.stringValue ?? ""
                if try await handler.store.get(StorageKey(resource: definition.storageResource, namespace: "", name: name)) != nil { continue }
                do {
                    _ = try await handler.create(definition, namespace: nil, body: object, options: try WriteOptions(QueryParameters(nil)))
                } catch let e as APIError where e.status.reason == StatusReason.alreadyExists {
                    continue
                }
            }
        }
        for resource in RBACPolicy.resources {
            let (objects, revision) = try await handler.store.list(resource: resource, namespace: nil)
            authorizer.update { $0.replace(resource, with: objects, at: revision) }
        }
        // Aggregated roles feed each other (view into edit into admin): repeat until nothing changes.
        for _ in 0..<8 {
            if try await ClusterRoleAggregation.apply(authorizer.snapshot, handler: handler, authorizer: authorizer) == 0 { break }
        }
    }

    /// Reloads one RBAC resource into the policy after this server wrote it, so the next request is
    /// authorized with the write (the watch would bring it a moment later).
    static func reload(_ resource: String, handler: ResourceHandler, authorizer: RBACAuthorizer) async throws {
        guard RBACPolicy.resources.contains(resource) else { return }
        let (objects, revision) = try await handler.store.list(resource: resource, namespace: nil)
        authorizer.update { $0.replace(resource, with: objects, at: revision) }
    }
}
