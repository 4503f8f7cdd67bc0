import KubernetesAPI
import ServiceLifecycle

/// The controllers the control plane runs in its own service group, beside the HTTP server.
enum BuiltinControllers {
    /// The garbage collector, the namespace defaults (the `default` ServiceAccount and `kube-root-ca.crt`)
    /// and the `kubernetes` Service with its endpoints always, and the workload
    /// simulator when configured. On a store shared between servers they run only while this server holds
    /// the collector's Lease, so one server writes for them.
    static func services(
        handler: ResourceHandler, configuration: ControlPlaneConfiguration, namespaceDefaults: NamespaceDefaults,
        kubernetesService: KubernetesServiceReconciler, collector status: LeaseElectionStatus
    ) throws -> [any Service] {
        var services: [any Service] = [
            GarbageCollector(handler: handler, clock: configuration.clock, logger: configuration.logger),
            namespaceDefaults,
            kubernetesService,
        ]
        if let simulation = configuration.simulateWorkloads {
            services.append(WorkloadSimulator(handler: handler, simulation: simulation, logger: configuration.logger))
        }
        guard handler.store.sharedBetweenServers else {
            status.changed(leading: true, holder: nil)
            return services
        }
        let settings = configuration.garbageCollectorElection
        do {
            try settings.validate()
        } catch {
            throw ControlPlaneError("the garbage collector's leader election (\(settings.leaseKey)): \(error)")
        }
        let workName = configuration.simulateWorkloads == nil
            ? "the garbage collector, the namespace defaults and the kubernetes Service"
            : "the garbage collector, the namespace defaults, the kubernetes Service and the workload simulator"
        return [LeaseElectedService(
            settings: settings,
            lock: HandlerLeaseLock(handler: handler, namespace: settings.namespace, name: settings.name, clock: configuration.clock),
            clock: configuration.clock, now: configuration.now, status: status, logger: configuration.logger,
            workName: workName, work: SideBySide(services: services))]
    }
}

/// Services run side by side as one: it ends when all have ended, and cancelling it cancels them all.
struct SideBySide: Service {
    let services: [any Service]

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for service in services { group.addTask { try await service.run() } }
        }
    }
}
