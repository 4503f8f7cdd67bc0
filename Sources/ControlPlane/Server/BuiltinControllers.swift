import ServiceLifecycle

/// The controllers the control plane runs in its own service group, beside the HTTP server.
enum BuiltinControllers {
    /// The garbage collector always; the workload simulator when configured.
    static func services(handler: ResourceHandler, configuration: ControlPlaneConfiguration) -> [any Service] {
        var services: [any Service] = [GarbageCollector(handler: handler, clock: configuration.clock, logger: configuration.logger)]
        if let simulation = configuration.simulateWorkloads {
            services.append(WorkloadSimulator(handler: handler, simulation: simulation, logger: configuration.logger))
        }
        return services
    }
}
