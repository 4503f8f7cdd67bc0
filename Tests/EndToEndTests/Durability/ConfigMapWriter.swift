import ConcordTesting
import FederationAPI
import KubeClient

/// One writer of a kill-and-restart test: creates ConfigMaps and updates (merge-patches) the ones it
/// created, one request at a time, recording every acknowledged write in the ledger.
///
/// A request cut off by a kill has an unknown outcome. A create cut off that way is retried after the
/// restart: 201 means it had not been committed, 409 AlreadyExists that it had. An update cut off is
/// simply followed by the next one (with the next `seq`), so every name's `data.seq` only grows.
struct ConfigMapWriter: Sendable {
    let id: Int
    let configMaps: DynamicResourceClient
    let namespace: String
    let gate: ServerGate
    let ledger: WriteLedger
    let seed: UInt64

    private enum Operation {
        case create(String)
        case update(String, seq: Int)
    }

    /// Writes until the ledger is stopped or the gate closes.
    func run() async {
        var random = SeededGenerator(seed: seed)
        var seqs: [String: Int] = [:]
        var names: [String] = []
        var unsettledCreate: String?
        var created = 0
        while !ledger.isStopped {
            guard let epoch = await gate.waitUntilUp() else { return }
            let operation: Operation
            if let name = unsettledCreate {
                operation = .create(name)
            } else if names.count < 3 || random.next(upperBound: UInt64(10)) < 3 {
                operation = .create("w\(id)-\(created)")
                created += 1
            } else {
                let name = names[Int(random.next(upperBound: UInt64(names.count)))]
                operation = .update(name, seq: (seqs[name] ?? 0) + 1)
            }
            do {
                switch operation {
                case .create(let name):
                    unsettledCreate = name
                    let stored = try await configMaps.create(Self.configMap(name, seq: 0), namespace: namespace)
                    ledger.acknowledge(AcknowledgedWrite(name: name, revision: try Self.revision(stored), seq: 0, epoch: epoch))
                    unsettledCreate = nil
                    seqs[name] = 0
                    names.append(name)
                case .update(let name, let seq):
                    seqs[name] = seq
                    let stored = try await configMaps.patch(
                        name, namespace: namespace, type: .merge, patch: ["data": ["seq": .string(String(seq))]])
                    ledger.acknowledge(AcknowledgedWrite(name: name, revision: try Self.revision(stored), seq: seq, epoch: epoch))
                }
            } catch let error as KubeAPIError where error.isAlreadyExists && unsettledCreate != nil {
                // The create cut off by the kill had been committed before the kill.
                let name = unsettledCreate ?? ""
                unsettledCreate = nil
                seqs[name] = 0
                names.append(name)
            } catch {
                let explained = await gate.killExplainsFailure(startedIn: epoch)
                ledger.failed("writer \(id) \(operation) in epoch \(epoch): \(error)", explainedByKill: explained)
                if !explained { return }
            }
        }
    }

    /// A ConfigMap with `data.seq` and about 1 KiB of padding.
    static func configMap(_ name: String, seq: Int) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name)],
            "data": ["seq": .string(String(seq)), "pad": .string(String(repeating: "x", count: 1024))],
        ]
    }

    /// The object's `metadata.resourceVersion` as a number.
    static func revision(_ object: JSONValue) throws -> Int64 {
        guard let text = object.value(at: ["metadata", "resourceVersion"])?.stringValue, let revision = Int64(text) else {
            throw E2EError("object without a numeric resourceVersion: \(object)")
        }
        return revision
    }

    /// The object's `data.seq` as a number.
    static func seq(_ object: JSONValue) -> Int? {
        object.value(at: ["data", "seq"])?.stringValue.flatMap { Int($0) }
    }
}
