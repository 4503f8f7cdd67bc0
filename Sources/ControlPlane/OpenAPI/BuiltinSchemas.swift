import KubernetesAPI

/// OpenAPI v3 schemas of the built-in kinds: enough for `kubectl explain` and for clients that read them.
/// They describe the commonly used fields; unknown fields of built-in kinds are kept, not pruned.
enum BuiltinSchemas {
    static func object(_ description: String, _ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        var o: [String: JSONValue] = ["type": "object", "description": .string(description), "properties": .object(properties)]
        if !required.isEmpty { o["required"] = .array(required.map(JSONValue.string)) }
        return .object(o)
    }
    static func string(_ description: String) -> JSONValue { ["type": "string", "description": .string(description)] }
    static func integer(_ description: String) -> JSONValue { ["type": "integer", "format": "int32", "description": .string(description)] }
    static func boolean(_ description: String) -> JSONValue { ["type": "boolean", "description": .string(description)] }
    static func stringMap(_ description: String) -> JSONValue {
        ["type": "object", "description": .string(description), "additionalProperties": ["type": "string"]]
    }
    static func array(_ description: String, _ items: JSONValue) -> JSONValue {
        ["type": "array", "description": .string(description), "items": items]
    }
    static func free(_ description: String) -> JSONValue {
        ["type": "object", "description": .string(description), "x-kubernetes-preserve-unknown-fields": true]
    }

    /// The top of every kind: apiVersion, kind, metadata plus the given fields.
    static func kind(_ description: String, _ properties: [String: JSONValue]) -> JSONValue {
        var p = properties
        p["apiVersion"] = string("APIVersion defines the versioned schema of this representation of an object.")
        p["kind"] = string("Kind is a string value representing the REST resource this object represents.")
        p["metadata"] = ["description": "Standard object's metadata.", "allOf": [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]]]
        return object(description, p)
    }

    static let namespace = kind("Namespace provides a scope for Names.", [
        "spec": object("Spec defines the behavior of the Namespace.", ["finalizers": array("Finalizers is an opaque list of values that must be empty to permanently remove object from storage.", string(""))]),
        "status": object("Status describes the current status of a Namespace.", ["phase": string("Phase is the current lifecycle phase of the namespace: Active or Terminating.")]),
    ])

    static let configMap = kind("ConfigMap holds configuration data for pods to consume.", [
        "data": stringMap("Data contains the configuration data."),
        "binaryData": ["type": "object", "description": "BinaryData contains the binary data.", "additionalProperties": ["type": "string", "format": "byte"]],
        "immutable": boolean("Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated."),
    ])

    static let secret = kind("Secret holds secret data of a certain type.", [
        "data": ["type": "object", "description": "Data contains the secret data, base64 encoded.", "additionalProperties": ["type": "string", "format": "byte"]],
        "stringData": stringMap("stringData allows specifying non-binary secret data in string form; merged into data on write."),
        "type": string("Used to facilitate programmatic handling of secret data. Defaults to Opaque."),
        "immutable": boolean("Immutable, if set to true, ensures that data stored in the Secret cannot be updated."),
    ])

    static let servicePort = object("ServicePort contains information on service's port.", [
        "name": string("The name of this port within the service."),
        "protocol": string("The IP protocol for this port: TCP, UDP or SCTP. Default is TCP."),
        "port": integer("The port that will be exposed by this service."),
        "targetPort": ["description": "Number or name of the port to access on the pods targeted by the service.", "x-kubernetes-int-or-string": true],
        "nodePort": integer("The port on each node on which this service is exposed."),
    ])

    static let service = kind("Service is a named abstraction of software service.", [
        "spec": object("Spec defines the behavior of a service.", [
            "type": string("type determines how the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName."),
            "selector": stringMap("Route service traffic to pods with label keys and values matching this selector."),
            "ports": array("The list of ports that are exposed by this service.", servicePort),
            "clusterIP": string("clusterIP is the IP address of the service."),
            "externalName": string("externalName is the external reference for ExternalName services."),
        ]),
        "status": free("Most recently observed status of the service."),
    ])

    static let endpoints = kind("Endpoints is a collection of endpoints that implement the actual service.", [
        "subsets": array("The set of all endpoints.", free("EndpointSubset is a group of addresses with a common set of ports.")),
    ])

    static let endpointSlice = kind("EndpointSlice represents a subset of the endpoints that implement a service.", [
        "addressType": string("addressType specifies the type of address carried by this EndpointSlice: IPv4, IPv6 or FQDN."),
        "endpoints": array("endpoints is a list of unique endpoints in this slice.", object("Endpoint represents a single logical backend.", [
            "addresses": array("addresses of this endpoint.", string("")),
            "conditions": object("conditions contains information about the current status of the endpoint.", [
                "ready": boolean("ready indicates that this endpoint is ready to receive traffic."),
                "serving": boolean("serving indicates that this endpoint is able to receive traffic."),
                "terminating": boolean("terminating indicates that this endpoint is terminating."),
            ]),
            "hostname": string("hostname of this endpoint."),
            "nodeName": string("nodeName represents the name of the Node hosting this endpoint."),
            "zone": string("zone is the name of the Zone this endpoint exists in."),
            "targetRef": free("targetRef is a reference to a Kubernetes object that represents this endpoint."),
            "hints": free("hints contains information associated with how an endpoint should be consumed."),
        ])),
        "ports": array("ports specifies the list of network ports exposed by each endpoint.", object("EndpointPort represents a port.", [
            "name": string("name represents the name of this port."),
            "protocol": string("protocol represents the IP protocol for this port: TCP, UDP or SCTP."),
            "port": integer("port represents the port number of the endpoint."),
            "appProtocol": string("The application protocol for this port."),
        ])),
    ])

    static let deployment = kind("Deployment enables declarative updates for Pods and ReplicaSets.", [
        "spec": object("Specification of the desired behavior of the Deployment.", [
            "replicas": integer("Number of desired pods. Defaults to 1."),
            "selector": free("Label selector for pods."),
            "template": PodSchemas.template,
            "strategy": free("The deployment strategy to use to replace existing pods with new ones."),
            "minReadySeconds": integer("Minimum number of seconds for which a newly created pod should be ready."),
            "paused": boolean("Indicates that the deployment is paused."),
        ]),
        "status": free("Most recently observed status of the Deployment."),
    ])

    static let lease = kind("Lease defines a lease concept.", [
        "spec": object("spec contains the specification of the Lease.", [
            "holderIdentity": string("holderIdentity contains the identity of the holder of a current lease."),
            "leaseDurationSeconds": integer("leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it."),
            "acquireTime": ["type": "string", "format": "date-time", "description": "acquireTime is a time when the current lease was acquired."],
            "renewTime": ["type": "string", "format": "date-time", "description": "renewTime is a time when the current holder of a lease has last updated the lease."],
            "leaseTransitions": integer("leaseTransitions is the number of transitions of a lease between holders."),
        ]),
    ])

    static let coreEvent = kind("Event is a report of an event somewhere in the cluster.", [
        "involvedObject": free("The object that this event is about."),
        "reason": string("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        "message": string("A human-readable description of the status of this operation."),
        "type": string("Type of this event (Normal, Warning)."),
        "count": integer("The number of times this event has occurred."),
        "firstTimestamp": ["type": "string", "format": "date-time", "description": "The time at which the event was first recorded."],
        "lastTimestamp": ["type": "string", "format": "date-time", "description": "The time at which the most recent occurrence of this event was recorded."],
        "eventTime": ["type": "string", "format": "date-time", "description": "Time when this Event was first observed."],
        "source": free("The component reporting this event."),
        "reportingComponent": string("Name of the controller that emitted this Event."),
        "reportingInstance": string("ID of the controller instance."),
        "action": string("What action was taken/failed regarding to the Regarding object."),
        "series": free("Data about the Event series this event represents."),
        "related": free("Optional secondary object for more complex actions."),
    ])

    static let eventsEvent = kind("Event is a report of an event somewhere in the cluster.", [
        "regarding": free("regarding contains the object this Event is about."),
        "related": free("related is the optional secondary object for more complex actions."),
        "reason": string("reason is why the action was taken."),
        "note": string("note is a human-readable description of the status of this operation."),
        "type": string("type is the type of this event (Normal, Warning)."),
        "action": string("action is what action was taken/failed regarding to the regarding object."),
        "eventTime": ["type": "string", "format": "date-time", "description": "eventTime is the time when this Event was first observed."],
        "reportingController": string("reportingController is the name of the controller that emitted this Event."),
        "reportingInstance": string("reportingInstance is the ID of the controller instance."),
        "series": free("series is data about the Event series this event represents."),
        "deprecatedSource": free("deprecatedSource is the deprecated field assuring backward compatibility with core.v1 Event type."),
        "deprecatedFirstTimestamp": ["type": "string", "format": "date-time", "description": "deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type."],
        "deprecatedLastTimestamp": ["type": "string", "format": "date-time", "description": "deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type."],
        "deprecatedCount": integer("deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type."),
    ])

    static let customResourceDefinition = kind("CustomResourceDefinition represents a resource that should be exposed on the API server.", [
        "spec": object("spec describes how the user wants the resources to appear", [
            "group": string("group is the API group of the defined custom resource."),
            "names": object("names specify the resource and kind names for the custom resource.", [
                "plural": string("plural is the plural name of the resource to serve."),
                "singular": string("singular is the singular name of the resource."),
                "kind": string("kind is the serialized kind of the resource."),
                "listKind": string("listKind is the serialized kind of the list for this resource."),
                "shortNames": array("shortNames are short names for the resource.", string("")),
                "categories": array("categories is a list of grouped resources this custom resource belongs to (e.g. 'all').", string("")),
            ]),
            "scope": string("scope indicates whether the defined custom resource is cluster- or namespace-scoped: Cluster or Namespaced."),
            "versions": array("versions is the list of all API versions of the defined custom resource.", free("CustomResourceDefinitionVersion describes a version for CRD.")),
            "conversion": free("conversion defines conversion settings for the CRD."),
            "preserveUnknownFields": boolean("preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage."),
        ]),
        "status": free("status indicates the actual state of the CustomResourceDefinition"),
    ])
}
