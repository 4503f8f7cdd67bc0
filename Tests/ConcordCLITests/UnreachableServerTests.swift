import Foundation
import KubeClient
import Testing

@testable import ConcordCLI

/// A hub that cannot be reached is one sentence with the fix, never the transport's hint and the CLI's one after the other.
struct UnreachableServerTests {
    static let refused = KubeTransportError(
        .connectionRefused, "/apis/federation.concord.dev/v1alpha1/datacenters: connection refused; is the API server running at that address?")

    @Test func aRefusedConnectionIsOneSentenceWithTheFix() {
        let line = StatusCommand.explain(Self.refused, server: "https://127.0.0.1:1")
        #expect(line == "nothing answers at https://127.0.0.1:1 (connection refused): start the hub, or point --kubeconfig/KUBECONFIG at the one that is running")
        #expect(line.components(separatedBy: "?").count == 1)
    }

    @Test(arguments: [
        (KubeTransportError.Code.connectTimeout, "the hub at https://h:6443 accepted no connection in time: check that it is up and that --kubeconfig/KUBECONFIG names its address"),
        (.timeout, "the hub at https://h:6443 did not answer in time: check that it is up and not overloaded"),
        (.tls, "the TLS handshake with the hub at https://h:6443 failed: check the certificate authority, tls-server-name and client certificate --kubeconfig/KUBECONFIG gives"),
        (.connectionClosed, "cannot reach the hub at https://h:6443 (connectionClosed): check that it is running and that --kubeconfig/KUBECONFIG names it"),
    ])
    func eachFailureSaysWhatToCheck(code: KubeTransportError.Code, sentence: String) {
        #expect(StatusCommand.explain(KubeTransportError(code, "/api: detail; check the server address and that it is up"), server: "https://h:6443") == sentence)
    }
}
