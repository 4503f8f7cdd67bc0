import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// kubectl get events (and events.k8s.io events), with -o wide: kube-apiserver's columns and cells,
/// the same through both APIs.
struct EventTableTests {
    @Test func bothShapesPrintTheSameRowWithTheWideColumns() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            let now = Date()
            func at(_ seconds: TimeInterval) -> JSONValue { .string(KubeTime(now.addingTimeInterval(-seconds)).description) }
            let event: JSONValue = [
                "apiVersion": "v1", "kind": "Event", "metadata": ["name": "web.1"],
                "involvedObject": ["kind": "Deployment", "name": "web", "namespace": "default", "fieldPath": "spec.template"],
                "reason": "ScalingReplicaSet", "message": "Scaled up to 3 ", "type": "Normal", "count": 4,
                "firstTimestamp": at(5 * 3600), "lastTimestamp": at(3 * 3600), "source": ["component": "deployment-controller", "host": "node-1"],
            ]
            #expect(try await client.post("/api/v1/namespaces/default/events", event).status == 201)
            let accept = "application/json;as=Table;v=v1;g=meta.k8s.io"
            for path in ["/api/v1/namespaces/default/events", "/apis/events.k8s.io/v1/namespaces/default/events"] {
                let table = try await client.get(path, accept: accept).json
                let columns = (table["columnDefinitions"]?.arrayValue ?? []).map { "\($0["name"]?.stringValue ?? ""):\($0["priority"]?.intValue ?? 0)" }
                #expect(columns == ["Last Seen:0", "Type:0", "Reason:0", "Object:0", "Subobject:1", "Source:1", "Message:0", "First Seen:1", "Count:1", "Name:1"], "\(path)")
                let cells = try #require(table["rows"]?.arrayValue?.first?["cells"]?.arrayValue)
                // Three hours ago: the same text for the minute after (the table is made a moment later).
                #expect(cells[0] == "3h", "\(path): \(cells[0])")
                #expect(Array(cells[1...6]) == ["Normal", "ScalingReplicaSet", "deployment/web", "spec.template", "deployment-controller, node-1", "Scaled up to 3"], "\(path)")
                #expect(cells[7] == "5h", "\(path)")
                #expect(cells[8] == 4 && cells[9] == "web.1", "\(path)")
            }
        }
    }
}
