import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Synchronization

/// Probes one member's API server and turns the answer into a `ProbeResult` for the health decision.
///
/// The probe is `GET /readyz` (falling back to `GET /version` where `/readyz` is not served to this
/// identity), bounded by the health check's `timeoutSeconds`. `/version` is read only when the
/// caller asks for it (first contact, then now and then), so a steady probe costs one request.
enum MemberProbe {
    /// Probes the member once. `memory` keeps the last transport failure of this member's probes:
    /// a probe failed fast by the open circuit breaker repeats it, so the status message stays stable.
    static func probe(_ client: KubeClient, timeout: Duration, wantVersion: Bool, clock: RuntimeClock = .continuous, memory: ProbeMemory? = nil) async -> ProbeResult {
        let result = await probeOnce(client, timeout: timeout, wantVersion: wantVersion, clock: clock, memory: memory)
        return result
    }

    private static func probeOnce(_ client: KubeClient, timeout: Duration, wantVersion: Bool, clock: RuntimeClock, memory: ProbeMemory?) async -> ProbeResult {
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
            // A probe failed fast by the open circuit reports the failure that opened it.
            if error.code == .circuitOpen {
                if let previous = memory?.lastTransportFailure { return previous }
                let cause = client.circuitBreaker?.lastFailure ?? error
                return .failure(reason: reason(for: cause), message: cause.message)
            }
            let result = ProbeResult.failure(reason: reason(for: error), message: error.message)
            memory?.lastTransportFailure = result
            return result
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

/// The last transport failure of one member's probes (see `MemberProbe.probe`).
final class ProbeMemory: Sendable {
    private let last = Mutex<ProbeResult?>(nil)

    /// The failure to repeat while the circuit is open.
    var lastTransportFailure: ProbeResult? {
        get { last.withLock { $0 } }
        set { last.withLock { $0 = newValue } }
    }
}
