import Foundation
import KubernetesAPI

/// The outcome of one health probe.
public struct HealthProbeResult: Sendable, Hashable {
    /// True when the server answered `/readyz` (or the fallback) with 2xx.
    public var healthy: Bool
    /// Round-trip time of the request that decided the outcome (`/readyz`, or `/version` on fallback).
    public var latency: Duration
    /// `gitVersion` from `/version`, when it could be read.
    public var gitVersion: String?
    /// Which endpoint decided the outcome (`/readyz` or `/version`).
    public var endpoint: String
    /// Why the probe failed, when it did (never contains credentials).
    public var failure: String?
}

/// `/version`'s body.
public struct ServerVersion: Codable, Sendable, Hashable {
    /// Major version, such as "1".
    public var major: String?
    /// Minor version, such as "32".
    public var minor: String?
    /// Full version, such as "v1.32.0".
    public var gitVersion: String?
    /// Platform, such as "linux/amd64".
    public var platform: String?
}

extension KubeClient {
    /// GET `/version`.
    public func serverVersion(timeout: Duration = .seconds(5)) async throws -> ServerVersion {
        let r = try await send(KubeRequest(method: .get, path: "/version", timeout: timeout))
        do {
            return try JSONDecoder().decode(ServerVersion.self, from: r.body)
        } catch {
            throw KubeTransportError(.invalidResponse, "cannot decode /version: \(error)")
        }
    }

    /// A cheap health probe: `GET /readyz`; when that is not served (404/403/401 on some
    /// distributions) falls back to `GET /version`. Never throws: failures are in the result.
    /// Latency is measured on `clock` around the deciding request; `gitVersion` comes from `/version`.
    /// A failed probe's latency is the time until the failure (the timeout, for a hung server).
    public func probeHealth(timeout: Duration = .seconds(2), clock: RuntimeClock = .continuous) async -> HealthProbeResult {
        var start = clock.now
        var latency = Duration.zero
        var endpoint = "/readyz"
        var failure: String?
        var healthy = false
        var version: ServerVersion?
        do {
            let r = try await transport.send(KubeRequest(method: .get, path: "/readyz", accept: "text/plain, application/json", timeout: timeout))
            latency = clock.now - start
            if (200..<300).contains(r.statusCode) {
                healthy = true
            } else if [401, 403, 404].contains(r.statusCode) {
                endpoint = "/version"
                start = clock.now
                version = try await serverVersion(timeout: timeout)
                latency = clock.now - start
                healthy = true
            } else {
                failure = "/readyz answered \(r.statusCode): \(String(decoding: r.body.prefix(200), as: UTF8.self))"
            }
        } catch {
            latency = clock.now - start
            failure = "\(endpoint): \(error)"
        }
        if healthy && version == nil {
            do {
                version = try await serverVersion(timeout: timeout)
            } catch {
                // Ready but /version unreadable: still healthy, just without a version.
                version = nil
            }
        }
        return HealthProbeResult(healthy: healthy, latency: latency, gitVersion: version?.gitVersion, endpoint: endpoint, failure: failure)
    }
}
