import KubernetesAPI
import ServiceLifecycle

/// The controllers the control plane runs in its own service group, beside the HTTP server.
enum BuiltinControllers {
    /// The garbage collector always (on a store shared between servers, only while this server holds the
    /// collector's Lease); the workload simulator when configured.
    static func services(handler: ResourceHandler, configuration: ControlPlaneConfiguration, collector status: LeaseElectionStatus) throws -> [any Service] {
        let collector = GarbageCollector(handler: handler, clock: configuration.clock, logger: configuration.logger)
        var services: [any Service]
        if handler.store.sharedBetweenServers {
            let settings = configuration.garbageCollectorElection
            do {
                try settings.validate()
            } catch {
                throw ControlPlaneError("the garbage collector's leader election (\(settings.leaseKey)): \(error)")
            }
            services = [LeaseElectedService(
                settings: settings,
                lock: HandlerLeaseLock(handler: handler, namespace: settings.namespace, name: settings.name, clock: configuration.clock),
                clock: configuration.clock, now: configuration.now, status: status, logger: configuration.logger,
                workName: "the garbage collector", work: collector)]
        } else {
            status.changed(leading: true, holder: nil)
            services = [collector]
        }
        if let simulation = configuration.simulateWorkloads {
            services.append(WorkloadSimulator(handler: handler, simulation: simulation, logger: configuration.logger))
        }
        return services
    }
}
