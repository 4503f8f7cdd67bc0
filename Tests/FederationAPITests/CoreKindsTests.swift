import FederationAPI
import Foundation
import Testing

/// The Kubernetes kinds controllers use decode what kube-apiserver sends and encode what it accepts.
struct CoreKindsTests {
    @Test func resourcesAndScopes() {
        #expect(Namespace.groupVersionResource.pathPrefix == "/api/v1")
        #expect(!Namespace.isNamespaced)
        #expect(ConfigMap.apiVersion == "v1")
        #expect(Secret.groupVersionResource.resource == "secrets")
        #expect(Lease.apiVersion == "coordination.k8s.io/v1")
        #expect(KubeService.kind == "Service")
        #expect(KubeService.groupVersionResource.resource == "services")
        #expect(EndpointSlice.apiVersion == "discovery.k8s.io/v1")
        #expect(Deployment.groupVersionKind == GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))
        #expect(Event.apiVersion == "events.k8s.io/v1")
        #expect([ConfigMap.isNamespaced, Secret.isNamespaced, Lease.isNamespaced, KubeService.isNamespaced,
                 EndpointSlice.isNamespaced, Deployment.isNamespaced, Event.isNamespaced].allSatisfy { $0 })
    }

    @Test func deploymentFromTheAPIServer() throws {
        let json = try JSONValue(parsing: Data("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"payment-api","namespace":"shop","generation":4,
             "creationTimestamp":"2026-11-21T05:31:06Z"},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"payment-api"}},
                     "template":{"metadata":{"labels":{"app":"payment-api"}},"spec":{"containers":[{"name":"app","image":"nginx"}]}},
                     "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},
                     "revisionHistoryLimit":10,"progressDeadlineSeconds":600},
             "status":{"observedGeneration":4,"replicas":3,"updatedReplicas":3,"readyReplicas":2,"availableReplicas":2,"unavailableReplicas":1,
                       "conditions":[{"type":"Available","status":"True","lastUpdateTime":"2026-11-21T05:31:10Z",
                                      "lastTransitionTime":"2026-11-21T05:31:10Z","reason":"MinimumReplicasAvailable","message":"ok"}]}}
            """.utf8))
        let d = try json.decode(Deployment.self)
        #expect(d.spec?.effectiveReplicas == 3)
        #expect(d.spec?.selector.matches(["app": "payment-api"]) == true)
        #expect(d.spec?.template["spec"]?["containers"]?.arrayValue?.count == 1)
        #expect(d.status?.readyReplicas == 2)
        #expect(d.status?.availableReplicas == 2)
        #expect(d.status?.observedGeneration == 4)
        #expect(d.status?.conditions?.first?.reason == "MinimumReplicasAvailable")
        #expect(try JSONValue(encoding: d) == json)
    }

    @Test func serviceTargetPortIsIntOrString() throws {
        let json: JSONValue = [
            "metadata": ["name": "payment-api", "namespace": "shop"],
            "spec": ["selector": ["app": "payment-api"], "type": "ClusterIP", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                     "ports": [["name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"], ["name": "grpc", "port": 81, "targetPort": "grpc"]]],
            "status": ["loadBalancer": [:]],
        ]
        let s = try json.decode(KubeService.self)
        #expect(s.kind == "Service")
        #expect(s.spec?.ports?[0].targetPort == .int(8080))
        #expect(s.spec?.ports?[1].targetPort == "grpc")
        #expect(s.spec?.ports?[1].targetPort?.intValue == nil)
        let encoded = try JSONValue(encoding: s)
        #expect(encoded["spec"]?["ports"]?.arrayValue?[0]["targetPort"] == 8080)
        #expect(encoded["spec"]?["ports"]?.arrayValue?[1]["targetPort"] == "grpc")
        #expect(encoded["apiVersion"] == "v1")
    }

    @Test func endpointSliceReadiness() throws {
        let json: JSONValue = [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": ["name": "payment-api-global-x", "namespace": "shop", "labels": ["kubernetes.io/service-name": "payment-api-global"]],
            "addressType": "IPv4",
            "endpoints": [
                ["addresses": ["10.1.0.7"], "conditions": ["ready": true, "serving": true, "terminating": false], "zone": "us-west-1a"],
                ["addresses": ["10.1.0.8"], "conditions": ["ready": false]],
                ["addresses": ["10.1.0.9"]],
            ],
            "ports": [["name": "http", "port": 8080, "protocol": "TCP"]],
        ]
        let slice = try json.decode(EndpointSlice.self)
        #expect(slice.addressType == .ipv4)
        #expect(slice.endpoints.map(\.isReady) == [true, false, true])
        #expect(slice.metadata.labels?[EndpointSlice.serviceNameLabel] == "payment-api-global")
        #expect(try JSONValue(encoding: slice) == json)
        let empty = try JSONValue.object(["metadata": ["name": "e"], "addressType": "IPv6", "endpoints": nil]).decode(EndpointSlice.self)
        #expect(empty.endpoints.isEmpty)
    }

    @Test func leaseTimesAreMicroTimes() throws {
        let json: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "dc-us-east", "namespace": "concord-system"],
            "spec": ["holderIdentity": "agent-1", "leaseDurationSeconds": 15, "acquireTime": "2026-11-21T05:31:06.000000Z",
                     "renewTime": "2026-11-21T05:31:16.500000Z", "leaseTransitions": 2],
        ]
        let lease = try json.decode(Lease.self)
        let renew = try #require(lease.spec?.renewTime)
        #expect(renew.description == "2026-11-21T05:31:16.500000Z")
        #expect(lease.spec?.isHeld(at: renew.date.addingTimeInterval(14.9)) == true)
        #expect(lease.spec?.isHeld(at: renew.date.addingTimeInterval(15)) == false)
        #expect(LeaseSpec(holderIdentity: "x").isHeld(at: renew.date) == false)
        #expect(try JSONValue(encoding: lease) == json)
        #expect(Lease(metadata: ObjectMeta(name: Datacenter.leaseName(for: "us-east"), namespace: Datacenter.leaseNamespace)).metadata.name == "dc-us-east")
    }

    @Test func secretDataIsBase64() throws {
        var secret = Secret(metadata: ObjectMeta(name: "us-east-kubeconfig", namespace: "concord-system"), type: Secret.opaqueType)
        secret.setData("kubeconfig", Data("apiVersion: v1\n".utf8))
        #expect(secret.data?["kubeconfig"] == "YXBpVmVyc2lvbjogdjEK")
        #expect(secret.decodedData("kubeconfig") == Data("apiVersion: v1\n".utf8))
        #expect(secret.decodedData("missing") == nil)
        let fromString = Secret(metadata: ObjectMeta(name: "s"), stringData: ["token": "abc"])
        #expect(fromString.decodedData("token") == Data("abc".utf8))
        let broken = Secret(metadata: ObjectMeta(name: "s"), data: ["k": "%%%"])
        #expect(broken.decodedData("k") == nil)
        let json = try JSONValue(encoding: secret)
        #expect(json["type"] == "Opaque")
        #expect(try json.decode(Secret.self) == secret)
    }

    @Test func configMapAndNamespaceRoundTrip() throws {
        let cm = ConfigMap(metadata: ObjectMeta(name: "flags", namespace: "shop"), data: ["a": "1"], binaryData: ["b": "AA=="], immutable: true)
        #expect(try JSONValue(encoding: cm).decode(ConfigMap.self) == cm)
        #expect(try JSONValue(encoding: cm)["kind"] == "ConfigMap")
        let ns = try JSONValue.object(["metadata": ["name": "shop"], "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"]])
            .decode(Namespace.self)
        #expect(ns.kind == "Namespace")
        #expect(ns.status?.phase == "Active")
        #expect(Namespace(name: "shop").metadata.name == "shop")
    }

    @Test func eventsWithAndWithoutEventTime() throws {
        let event = Event(
            metadata: ObjectMeta(name: "us-east.1", namespace: "default"), eventTime: MicroTime(Date(timeIntervalSince1970: 1_700_000_000.25)),
            series: EventSeries(count: 2, lastObservedTime: MicroTime(Date(timeIntervalSince1970: 1_700_000_001))),
            reportingController: "federation.concord.dev/datacenter-controller", reportingInstance: "concord-0", action: "Probe",
            reason: "DatacenterUnreachable", regarding: ObjectReference(to: Samples.fullDatacenter), note: "us-east is unreachable",
            type: Event.warning
        )
        let json = try JSONValue(encoding: event)
        #expect(json["eventTime"] == "2023-11-14T22:13:20.250000Z")
        #expect(json["regarding"]?["kind"] == "Datacenter")
        #expect(json["regarding"]?["apiVersion"] == "federation.concord.dev/v1alpha1")
        #expect(try json.decode(Event.self) == event)
        let legacy = try JSONValue.object(["metadata": ["name": "old"], "eventTime": nil, "reason": "Started", "deprecatedCount": 3])
            .decode(Event.self)
        #expect(legacy.eventTime == nil)
        #expect(legacy.deprecatedCount == 3)
    }
}
