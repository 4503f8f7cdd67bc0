import ArgumentParser
import FederationAPI
import Foundation
import KubeClient

/// `concord status`: the federation on one screen.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the federation on one screen: policies, primaries and epochs; datacenters, phases and latency; replication lag and conflicts; services.",
        discussion: "--watch redraws the screen in place every --interval seconds until interrupted; with -o json it prints one document per refresh.")

    /// The output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var cluster: ClusterOptions

    @Option(name: [.customShort("o"), .long], help: "Output format: text or json.")
    var output: Format = .text

    @Flag(name: [.customShort("w"), .long], help: "Redraw in place until interrupted.")
    var watch = false

    @Option(help: "Seconds between redraws with --watch.")
    var interval: Double = 2

    func validate() throws {
        guard interval >= 0.2 else { throw ValidationError("--interval must be at least 0.2 seconds") }
    }

    func run() async throws {
        let hub = try cluster.client()
        do {
            repeat {
                let summary = try await FederationSummary.read(from: hub)
                let screen = try Self.screen(summary, format: output, now: Date(), compact: watch)
                if watch && output == .text {
                    // Home the cursor and clear the screen, then draw: the screen is redrawn in place.
                    FileHandle.standardOutput.write(Data(("\u{1B}[H\u{1B}[2J" + screen + "\n").utf8))
                } else {
                    print(screen)
                }
                if watch { try await Task.sleep(for: .milliseconds(Int(interval * 1000))) }
            } while watch
        } catch is CancellationError {
        } catch {
            try? await hub.shutdown()
            throw CLIError(StatusCommand.explain(error, server: hub.configuration?.displayServer))
        }
        try await hub.shutdown()
    }

    /// What one refresh prints.
    static func screen(_ summary: FederationSummary, format: Format, now: Date, compact: Bool = false) throws -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = compact ? [.sortedKeys] : [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(StatusDocument(summary)), as: UTF8.self)
        case .text:
            if summary.datacenters.isEmpty {
                return "No datacenters. Register one with `kubectl apply -f manifests/samples/datacenters.yaml`, or run `concord up`."
            }
            let ready = summary.datacenters.filter { $0.status?.phase == .ready }.count
            return summary.render(now: now) + "\n\n\(ready)/\(summary.datacenters.count) datacenters Ready"
        }
    }

    /// One line saying what failed and what to do.
    static func explain(_ error: any Error, server: String?) -> String {
        if let api = error as? KubeAPIError, api.isNotFound {
            return "the hub at \(server ?? "?") does not serve datacenters.federation.concord.dev: install the CRDs with `concord crds | kubectl apply -f -`"
        }
        if let transport = error as? KubeTransportError {
            return UnreachableServer.sentence(transport, what: "the hub", server: server, flag: "--kubeconfig/KUBECONFIG")
        }
        return "\(error)"
    }
}
