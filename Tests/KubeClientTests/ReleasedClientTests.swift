import ConcordTesting
import Foundation
import KubeClient
import KubernetesAPI
import Testing

/// A client released without `shutdown()` (a test or a caller that threw before it) closes its
/// connections and says so, instead of leaking them or stopping the process.
struct ReleasedClientTests {
    @Test func aClientReleasedWithoutShutdownClosesItsConnectionsAndWarns() async throws {
        try await withTestControlPlane { plane in
            let log = CapturedLog()
            do {
                let client = try KubeClient(kubeconfigPath: plane.kubeconfigPath, logger: log.logger(level: .warning))
                let version = try await client.serverVersion(timeout: .seconds(10))
                #expect(version.gitVersion?.isEmpty == false)
            }
            try await waitUntil("the released client's warning", timeout: .seconds(10)) {
                log.lines.contains { $0.contains("released without shutdown()") }
            }
            // The process is still here, and a new client works.
            let next = try KubeClient(kubeconfigPath: plane.kubeconfigPath)
            #expect(try await next.serverVersion(timeout: .seconds(10)).gitVersion?.isEmpty == false)
            try await next.shutdown()
        }
    }
}
