import ConcordTesting
import FederationAPI
import Foundation
import Testing

/// Accepted means decodable: seeded mutations of valid federation objects are sent to an in-process control
/// plane (create, then a status write), and every object the server accepts must decode with Concord's typed
/// decoders, both as the server returned it and as it lists it.
struct AcceptedObjectsDecodeTests {
    /// Objects per kind; the seeds are fixed, so every run sends the same bodies.
    static let objectsPerKind = 100

    struct Outcome {
        var accepted = 0
        var refused = 0
        var failures: [String] = []
    }

    @Test(arguments: TestStorage.allCases, FederationSamples.kinds.map(\.name))
    func everyAcceptedObjectDecodes(_ storage: TestStorage, _ kindName: String) async throws {
        let kind = try #require(FederationSamples.kinds.first { $0.name == kindName })
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            for crd in FederationCRDs.all {
                let reply = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
                try #require(reply.status == 201, "\(reply.text)")
            }
            var outcome = Outcome()
            for index in 0..<Self.objectsPerKind {
                try await Self.send(kind, index: index, client: client, outcome: &outcome)
            }
            let listed = try await client.get(kind.collection)
            try #require(listed.status == 200)
            if let error = Self.decodeError(kind.name, list: listed.body) {
                outcome.failures.append("list: \(error)")
            }
            #expect(outcome.failures.isEmpty, "\(outcome.failures.count) accepted objects do not decode:\n\(outcome.failures.joined(separator: "\n"))")
            // The unmutated sample and a good share of the mutants must be accepted, or the test proves nothing.
            #expect(outcome.accepted >= Self.objectsPerKind / 4, "accepted \(outcome.accepted), refused \(outcome.refused)")
            #expect(outcome.refused >= Self.objectsPerKind / 4, "accepted \(outcome.accepted), refused \(outcome.refused)")
        }
    }

    /// Creates one mutant (index 0 is the sample itself), then writes its mutated status through `/status`.
    static func send(_ kind: FederationSamples.Kind, index: Int, client: APIClient, outcome: inout Outcome) async throws {
        var mutator = ObjectMutator(random: SeededGenerator(seed: UInt64(index) &* 7919 &+ UInt64(kind.name.utf8.count)))
        var sample = kind.object
        sample.setValue(.string("m\(index)"), at: ["metadata", "name"])
        let tree = index == 0 ? sample : mutator.mutated(sample, count: 1 + index % 3)
        let text = ObjectMutator.render(tree)
        let created = try await client.send(.POST, kind.collection, body: Data(text.utf8))
        #expect(created.status < 500, "\(kind.name) #\(index) got \(created.status): \(created.text)")
        guard created.status < 300 else {
            #expect(index != 0, "the unmutated \(kind.name) was refused: \(created.text)")
            outcome.refused += 1
            return
        }
        outcome.accepted += 1
        if let error = decodeError(kind.name, object: created.body) {
            outcome.failures.append("#\(index) created from \(text)\n  → \(error)")
        }
        // A create drops status (status subresource): write the mutated status through /status.
        guard let mutatedStatus = tree["status"], let name = created.json.value(at: ["metadata", "name"])?.stringValue else { return }
        var withStatus = created.json
        withStatus["status"] = mutatedStatus
        let statusText = ObjectMutator.render(withStatus)
        let written = try await client.send(.PUT, "\(kind.collection)/\(name)/status", body: Data(statusText.utf8))
        #expect(written.status < 500, "\(kind.name) #\(index) status got \(written.status): \(written.text)")
        guard written.status < 300 else { return }
        outcome.accepted += 1
        if let error = decodeError(kind.name, object: written.body) {
            outcome.failures.append("#\(index) status from \(ObjectMutator.render(mutatedStatus))\n  → \(error)")
        }
    }

    static func decodeError(_ kind: String, object data: Data) -> String? {
        do {
            switch kind {
            case "Datacenter": _ = try JSONDecoder().decode(Datacenter.self, from: data)
            case "FederationPolicy": _ = try JSONDecoder().decode(FederationPolicy.self, from: data)
            case "ServiceFailover": _ = try JSONDecoder().decode(ServiceFailover.self, from: data)
            default: _ = try JSONDecoder().decode(ReplicationRule.self, from: data)
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func decodeError(_ kind: String, list data: Data) -> String? {
        do {
            switch kind {
            case "Datacenter": _ = try JSONDecoder().decode(KubeList<Datacenter>.self, from: data)
            case "FederationPolicy": _ = try JSONDecoder().decode(KubeList<FederationPolicy>.self, from: data)
            case "ServiceFailover": _ = try JSONDecoder().decode(KubeList<ServiceFailover>.self, from: data)
            default: _ = try JSONDecoder().decode(KubeList<ReplicationRule>.self, from: data)
            }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
