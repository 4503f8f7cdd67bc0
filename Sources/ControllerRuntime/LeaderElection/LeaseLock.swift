import Foundation
import KubeClient
import KubernetesAPI

/// Reads and writes one `coordination.k8s.io/v1` Lease, each request bounded by a timeout
/// (controller-runtime uses max(RenewDeadline/2, 1 s)) so a hung API server cannot stall renewal.
public struct LeaseLock: LeaseElectionLock {
    /// The Lease's namespace.
    public let namespace: String
    /// The Lease's name.
    public let name: String
    private let leases: ResourceClient<Lease>

    /// Creates a lock on `namespace/name` through `client`.
    public init(client: KubeClient, namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
        self.leases = client.resource(Lease.self)
    }

    /// The Lease, or nil when it does not exist.
    public func get(timeout: Duration) async throws -> LeaseRecord? {
        var request = leases.requests.get(namespace: namespace, name: name)
        request.timeout = timeout
        do {
            return try await perform(request)
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }

    /// Creates the Lease with `spec`; throws `KubeAPIError` (`isAlreadyExists`) if another process was first.
    public func create(_ spec: LeaseSpec, timeout: Duration) async throws -> LeaseRecord {
        let lease = Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec)
        var request = leases.requests.create(namespace: namespace, body: try leases.codec.encode(lease))
        request.timeout = timeout
        return try await perform(request)
    }

    /// Replaces the Lease's spec; `resourceVersion` makes it a compare-and-swap (409 on a stale one).
    public func update(_ spec: LeaseSpec, resourceVersion: String, timeout: Duration) async throws -> LeaseRecord {
        let lease = Lease(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: resourceVersion), spec: spec)
        var request = leases.requests.update(namespace: namespace, name: name, body: try leases.codec.encode(lease))
        request.timeout = timeout
        return try await perform(request)
    }

    private func perform(_ request: KubeRequest) async throws -> LeaseRecord {
        let response = try await leases.transport.send(request)
        guard (200..<300).contains(response.statusCode) else {
            throw KubeAPIError(statusCode: response.statusCode, body: response.body)
        }
        do {
            let lease: Lease = try leases.codec.decode(response.body)
            return LeaseRecord(spec: lease.spec ?? LeaseSpec(), resourceVersion: lease.metadata.resourceVersion ?? "")
        } catch {
            throw KubeTransportError(.invalidResponse, "cannot decode Lease \(namespace)/\(name): \(error)")
        }
    }
}
