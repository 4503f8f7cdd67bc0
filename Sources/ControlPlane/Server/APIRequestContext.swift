import Hummingbird
import NIOCore
import NIOSSL

/// The request context of the control plane's responder: Hummingbird's core context plus the
/// connection, so a TLS client certificate can be read.
struct APIRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// The client certificate the TLS handshake verified, or nil (plain HTTP, or none presented).
    func verifiedClientCertificate() async -> NIOSSLCertificate? {
        do {
            return try await channel.nioSSL_peerCertificate().get()
        } catch {
            return nil
        }
    }
}
