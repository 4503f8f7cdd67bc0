import ArgumentParser
import FederationAPI
import Foundation
import KubeClient

/// `concord status`: the federation on one screen.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the federation on one screen: datacenters, their roles, phases and latency, and each replication rule's targets and lag.")

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let hub = try cluster.client()
        do {
            let summary = try await FederationSummary.read(from: hub)
            if summary.datacenters.isEmpty {
                print("No datacenters. Register one with `kubectl apply -f manifests/samples/datacenters.yaml`, or run `concord up`.")
            } else {
                print(summary.render(now: Date()))
                let ready = summary.datacenters.filter { $0.status?.phase == .ready }.count
                print("\n\(ready)/\(summary.datacenters.count) datacenters Ready")
            }
        } catch {
            try? await hub.shutdown()
            throw CLIError(StatusCommand.explain(error, server: hub.configuration?.displayServer))
        }
        try await hub.shutdown()
    }

    /// One line saying what failed and what to do.
    static func explain(_ error: any Error, server: String?) -> String {
        if let api = error as? KubeAPIError, api.isNotFound {
            return "the hub at \(server ?? "?") does not serve datacenters.federation.concord.dev: install the CRDs with `concord crds | kubectl apply -f -`"
        }
        if let transport = error as? KubeTransportError {
            return "cannot reach the hub at \(server ?? "?") (\(transport)): is it running, and is --kubeconfig/KUBECONFIG right?"
        }
        return "\(error)"
    }
}
