import Foundation
import KubeClient
import KubernetesAPI
import Synchronization

/// An in-memory API server for Leases: GET, POST and PUT with resourceVersion compare-and-swap
/// (409 on a stale version), and a switch that makes every request fail like a dead server.
final class FakeLeaseServer: Sendable {
    private struct State {
        var lease: JSONValue?
        var revision = 0
        var failing = false
        var writes: [String] = []
    }
    private let state = Mutex(State())

    /// Stores a Lease held by someone else, as if written earlier.
    func seed(_ spec: LeaseSpec, namespace: String = "ns", name: String = "lock") throws {
        let lease = Lease(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: "1"), spec: spec)
        let value = try JSONValue(encoding: lease)
        state.withLock { s in
            s.lease = value
            s.revision = 1
        }
    }

    /// While true, every request answers 503.
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    /// The stored Lease's spec.
    var spec: LeaseSpec? {
        state.withLock { s in s.lease.flatMap { try? $0["spec"]?.decode(LeaseSpec.self) } }
    }

    /// `METHOD holder` of every successful write, in order.
    var writes: [String] { state.withLock { $0.writes } }

    /// A client whose requests this server answers.
    var client: KubeClient {
        KubeClient(transport: FakeKubeTransport(send: { [self] request in self.answer(request) }))
    }

    private func answer(_ request: KubeRequest) -> KubeResponse {
        state.withLock { s in
            if s.failing { return .status(503, reason: StatusReason.serviceUnavailable, message: "unavailable") }
            switch request.method {
            case .get:
                guard let lease = s.lease else { return .status(404, reason: StatusReason.notFound, message: "leases not found") }
                return .json(200, lease)
            case .post:
                guard s.lease == nil else { return .status(409, reason: StatusReason.alreadyExists, message: "already exists") }
                return store(request, in: &s)
            case .put:
                guard let current = s.lease else { return .status(404, reason: StatusReason.notFound, message: "leases not found") }
                let sent = (try? JSONValue(parsing: request.body ?? Data()))?.value(at: ["metadata", "resourceVersion"])?.stringValue
                guard sent == current.value(at: ["metadata", "resourceVersion"])?.stringValue else {
                    return .status(409, reason: StatusReason.conflict, message: "the object has been modified")
                }
                return store(request, in: &s)
            default:
                return .status(405, reason: StatusReason.methodNotAllowed, message: "not allowed")
            }
        }
    }

    private func store(_ request: KubeRequest, in s: inout State) -> KubeResponse {
        guard var lease = try? JSONValue(parsing: request.body ?? Data()) else {
            return .status(400, reason: StatusReason.badRequest, message: "bad body")
        }
        s.revision += 1
        var meta = lease["metadata"] ?? [:]
        meta["resourceVersion"] = .string(String(s.revision))
        lease["metadata"] = meta
        s.lease = lease
        s.writes.append("\(request.method.rawValue) \(lease.value(at: ["spec", "holderIdentity"])?.stringValue ?? "")")
        return .json(request.method == .post ? 201 : 200, lease)
    }
}
