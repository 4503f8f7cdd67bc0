import KubeClient

/// One sentence for a server the CLI cannot reach, with the fix: the transport error's own hint
/// ("is the API server running at that address?") is not repeated after the CLI's.
enum UnreachableServer {
    /// What went wrong reaching `what` (such as "the hub") at `server`; `flag` names where its
    /// address comes from (such as "--kubeconfig/KUBECONFIG").
    static func sentence(_ error: KubeTransportError, what: String, server: String?, flag: String) -> String {
        let at = "\(what) at \(server ?? "?")"
        switch error.code {
        case .connectionRefused:
            return "nothing answers at \(server ?? "?") (connection refused): start \(what), or point \(flag) at the one that is running"
        case .connectTimeout:
            return "\(at) accepted no connection in time: check that it is up and that \(flag) names its address"
        case .timeout:
            return "\(at) did not answer in time: check that it is up and not overloaded"
        case .tls:
            return "the TLS handshake with \(at) failed: check the certificate authority, tls-server-name and client certificate \(flag) gives"
        default:
            return "cannot reach \(at) (\(error.code)): check that it is running and that \(flag) names it"
        }
    }
}
