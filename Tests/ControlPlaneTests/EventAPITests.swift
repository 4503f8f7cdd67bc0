import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// core/v1 and events.k8s.io/v1 Events are one object in two shapes, selectable by what they are about.
struct EventAPITests {
    static let core = "/api/v1/namespaces/default/events"
    static let v1 = "/apis/events.k8s.io/v1/namespaces/default/events"

    static let recorded: JSONValue = [
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "us-east.1"],
        "eventTime": "2026-11-21T09:00:00.000000Z", "reportingController": "concord-controller", "reportingInstance": "concord-controller-h1",
        "action": "Promote", "reason": "Promoted", "note": "became primary", "type": "Normal",
        "regarding": ["apiVersion": "federation.concord.dev/v1alpha1", "kind": "Datacenter", "name": "us-east", "uid": "u-1"],
        "series": ["count": 2, "lastObservedTime": "2026-11-21T09:01:00.000000Z"],
    ]

    @Test(arguments: TestStorage.allCases) func anEventRecordedThroughEventsK8sIoIsACoreEventAboutTheSameObject(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let created = try await client.post(Self.v1, Self.recorded)
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["note"] == "became primary")
            let list = try await client.get(Self.core + "?fieldSelector=involvedObject.name%3Dus-east,involvedObject.uid%3Du-1,involvedObject.kind%3DDatacenter")
            let event = try #require(list.json["items"]?.arrayValue?.first)
            #expect(event["apiVersion"] == "v1")
            #expect(event["message"] == "became primary")
            #expect(event["reportingComponent"] == "concord-controller")
            #expect(event.value(at: ["involvedObject", "name"]) == "us-east")
            #expect(event["note"] == nil && event["regarding"] == nil)
            // As kube-apiserver serves it: the core times it never had are null, not absent (kubectl
            // get events --sort-by=.lastTimestamp lists nothing when the field is missing), and the
            // source is empty.
            #expect(event.objectValue?["lastTimestamp"] == .null && event.objectValue?["firstTimestamp"] == .null)
            #expect(event["source"] == [:])
            // And back: the events.k8s.io view selects on `regarding`, and a merge patch applies to that shape.
            let viaRegarding = try await client.get(Self.v1 + "?fieldSelector=regarding.name%3Dus-east")
            #expect(viaRegarding.json["items"]?.arrayValue?.count == 1)
            #expect(try await client.get(Self.v1 + "?fieldSelector=regarding.name%3Dother").json["items"]?.arrayValue?.isEmpty == true)
            let patched = try await client.patch(Self.v1 + "/us-east.1", ["series": ["count": 3]])
            #expect(patched.json.value(at: ["series", "count"]) == 3)
            #expect(patched.json["apiVersion"] == "events.k8s.io/v1")
            #expect(try await client.get(Self.core + "/us-east.1").json.value(at: ["series", "count"]) == 3)
        }
    }

    @Test(arguments: TestStorage.allCases) func aCoreEventIsWatchedThroughEventsK8sIoInItsShape(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            var events = try await client.watch(Self.v1 + "?watch=true&fieldSelector=regarding.kind%3DConfigMap").makeAsyncIterator()
            let core: JSONValue = [
                "apiVersion": "v1", "kind": "Event", "metadata": ["name": "cm.1"], "reason": "Replicated", "message": "copied",
                "involvedObject": ["apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "namespace": "default"],
                "source": ["component": "concord"], "count": 1,
            ]
            #expect(try await client.post(Self.core, core).status == 201)
            let added = try #require(try await events.next())
            #expect(added["type"] == "ADDED")
            #expect(added.value(at: ["object", "apiVersion"]) == "events.k8s.io/v1")
            #expect(added.value(at: ["object", "note"]) == "copied")
            #expect(added.value(at: ["object", "deprecatedCount"]) == 1)
            #expect(added.value(at: ["object", "deprecatedSource", "component"]) == "concord")
        }
    }

    @Test(arguments: [
        (["apiVersion": "v1", "kind": "Event", "message": "m", "involvedObject": ["name": "x"], "count": 2] as JSONValue,
         ["apiVersion": "events.k8s.io/v1", "kind": "Event", "note": "m", "regarding": ["name": "x"], "deprecatedCount": 2,
          // kube-apiserver writes Go zero values out: null times, an empty source, empty reporting fields.
          "eventTime": .null, "deprecatedFirstTimestamp": .null, "deprecatedLastTimestamp": .null, "deprecatedSource": [:],
          "reportingController": "", "reportingInstance": ""] as JSONValue),
    ])
    func conversionRenamesFieldsBothWays(core: JSONValue, events: JSONValue) {
        #expect(EventConversion.toEventsV1(core) == events)
        #expect(EventConversion.toCore(events) == core)
        #expect(EventConversion.toEventsV1(events) == events)
        #expect(EventConversion.toCore(core) == core)
    }
}
