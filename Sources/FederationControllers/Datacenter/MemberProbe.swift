import FederationAPI
import FederationCore
import Foundation
import KubeClient

/// Probes one member's API server and turns the answer into a `ProbeResult` for the health decision.
///
/// The probe is `GET /readyz` (falling back to `GET /version` where `/readyz` is not served to this
/// identity), bounded by the health check's `timeoutSeconds`. `/version` is read only when the
/// caller asks for it (first contact, then now and then), so a steady probe costs one request.
enum MemberProbe {
    /// Probes the member once.
    static func probe(_ client: KubeClient, timeout: Duration, wantVersion: Bool, clock: RuntimeClock = .continuous) async -> ProbeResult {
        let started = clock.now
        do {
            let ready = try await client.send(KubeRequest(method: .get, path: "/readyz", accept: "text/plain, application/json", timeout: timeout))
            var latency = clock.now - started
            var version: String?
            if [401, 403, 404].contains(ready.statusCode) {
                let versionStarted = clock.now
                version = try await client.serverVersion(timeout: timeout).gitVersion
                latency = clock.now - versionStarted
            } else if !(200..<300).contains(ready.statusCode) {
                let body = String(decoding: ready.body.prefix(200), as: UTF8.self)
                return .failure(reason: Datacenter.Reason.probeFailed, message: "/readyz answered \(ready.statusCode): \(body)")
            } else if wantVersion {
                version = try? await client.serverVersion(timeout: timeout).gitVersion
            }
            return .success(latency: latency, serverVersion: version)
        } catch let error as KubeTransportError {
            // The message must not vary from probe to probe (no timings): status is written on change.
            return .failure(reason: reason(for: error), message: error.message)
        } catch let error as KubeAPIError {
            let reason = (error.isUnauthorized || error.statusCode == 403) ? Datacenter.Reason.unauthorized : Datacenter.Reason.probeFailed
            return .failure(reason: reason, message: "\(error)")
        } catch {
            return .failure(reason: Datacenter.Reason.probeFailed, message: "\(error)")
        }
    }

    /// The condition reason for a transport failure.
    static func reason(for error: KubeTransportError) -> String {
        switch error.code {
        case .timeout, .connectTimeout: return Datacenter.Reason.probeTimeout
        case .connectionRefused, .connectionClosed, .tls: return Datacenter.Reason.connectionFailed
        default: return Datacenter.Reason.probeFailed
        }
    }
}
