import KubernetesAPI

/// The pod template of a Deployment as the built-in schemas describe it: the fields of containers
/// and the pod spec clients set most, typed, so a wrongly typed one is refused as kube-apiserver's
/// decoding refuses it (and `kubectl explain` walks into them). Other fields are kept as sent.
enum PodSchemas {
    typealias S = BuiltinSchemas

    static func int64(_ description: String) -> JSONValue { ["type": "integer", "format": "int64", "description": .string(description)] }
    static func intOrString(_ description: String) -> JSONValue { ["description": .string(description), "x-kubernetes-int-or-string": true] }
    static func strings(_ description: String) -> JSONValue { S.array(description, S.string("")) }
    /// `map[string]Quantity`: a number or a string per key (Go's Quantity takes both).
    static func quantities(_ description: String) -> JSONValue {
        ["type": "object", "description": .string(description), "additionalProperties": ["description": "A quantity: a number or a string such as 500m or 1Gi."]]
    }

    static let probe = S.object("Probe describes a health check to be performed against a container.", [
        "exec": S.object("Exec specifies a command to execute in the container.", ["command": strings("Command is the command line to execute inside the container.")]),
        "httpGet": S.object("HTTPGet specifies an HTTP GET request to perform.", [
            "path": S.string("Path to access on the HTTP server."),
            "port": intOrString("Name or number of the port to access on the container."),
            "host": S.string("Host name to connect to, defaults to the pod IP."),
            "scheme": S.string("Scheme to use for connecting to the host. Defaults to HTTP."),
        ]),
        "tcpSocket": S.object("TCPSocket specifies a connection to a TCP port.", ["port": intOrString("Number or name of the port to access on the container.")]),
        "initialDelaySeconds": S.integer("Number of seconds after the container has started before probes are initiated."),
        "timeoutSeconds": S.integer("Number of seconds after which the probe times out. Defaults to 1 second."),
        "periodSeconds": S.integer("How often (in seconds) to perform the probe. Default to 10 seconds."),
        "successThreshold": S.integer("Minimum consecutive successes for the probe to be considered successful after having failed."),
        "failureThreshold": S.integer("Minimum consecutive failures for the probe to be considered failed after having succeeded."),
    ])

    static let container = S.object("A single application container that you want to run within a pod.", [
        "name": S.string("Name of the container specified as a DNS_LABEL."),
        "image": S.string("Container image name."),
        "command": strings("Entrypoint array."),
        "args": strings("Arguments to the entrypoint."),
        "workingDir": S.string("Container's working directory."),
        "imagePullPolicy": S.string("Image pull policy: Always, Never or IfNotPresent."),
        "ports": S.array("List of ports to expose from the container.", S.object("ContainerPort represents a network port in a single container.", [
            "name": S.string("If specified, this must be an IANA_SVC_NAME and unique within the pod."),
            "containerPort": S.integer("Number of port to expose on the pod's IP address."),
            "hostPort": S.integer("Number of port to expose on the host."),
            "protocol": S.string("Protocol for port: UDP, TCP or SCTP. Defaults to TCP."),
            "hostIP": S.string("What host IP to bind the external port to."),
        ])),
        "env": S.array("List of environment variables to set in the container.", S.object("EnvVar represents an environment variable present in a Container.", [
            "name": S.string("Name of the environment variable."),
            "value": S.string("Variable references $(VAR_NAME) are expanded using the previously defined environment variables."),
            "valueFrom": S.free("Source for the environment variable's value."),
        ])),
        "resources": S.object("Compute Resources required by this container.", [
            "limits": quantities("Limits describes the maximum amount of compute resources allowed."),
            "requests": quantities("Requests describes the minimum amount of compute resources required."),
        ]),
        "volumeMounts": S.array("Pod volumes to mount into the container's filesystem.", S.object("VolumeMount describes a mounting of a Volume within a container.", [
            "name": S.string("This must match the Name of a Volume."),
            "mountPath": S.string("Path within the container at which the volume should be mounted."),
            "readOnly": S.boolean("Mounted read-only if true, read-write otherwise."),
            "subPath": S.string("Path within the volume from which the container's volume should be mounted."),
        ])),
        "livenessProbe": probe,
        "readinessProbe": probe,
        "startupProbe": probe,
        "securityContext": S.free("SecurityContext defines the security options the container should be run with."),
        "stdin": S.boolean("Whether this container should allocate a buffer for stdin in the container runtime."),
        "tty": S.boolean("Whether this container should allocate a TTY for itself."),
    ])

    static let podSpec = S.object("Specification of the desired behavior of the pod.", [
        "containers": S.array("List of containers belonging to the pod.", container),
        "initContainers": S.array("List of initialization containers belonging to the pod.", container),
        "restartPolicy": S.string("Restart policy for all containers within the pod: Always, OnFailure or Never."),
        "terminationGracePeriodSeconds": int64("Optional duration in seconds the pod needs to terminate gracefully."),
        "activeDeadlineSeconds": int64("Optional duration in seconds the pod may be active on the node."),
        "dnsPolicy": S.string("Set DNS policy for the pod."),
        "nodeSelector": S.stringMap("NodeSelector is a selector which must be true for the pod to fit on a node."),
        "serviceAccountName": S.string("ServiceAccountName is the name of the ServiceAccount to use to run this pod."),
        "automountServiceAccountToken": S.boolean("AutomountServiceAccountToken indicates whether a service account token should be automatically mounted."),
        "nodeName": S.string("NodeName indicates in which node this pod is scheduled."),
        "hostNetwork": S.boolean("Host networking requested for this pod."),
        "priorityClassName": S.string("If specified, indicates the pod's priority."),
        "schedulerName": S.string("If specified, the pod will be dispatched by specified scheduler."),
        "volumes": S.array("List of volumes that can be mounted by containers belonging to the pod.", S.free("Volume represents a named volume in a pod.")),
        "tolerations": S.array("If specified, the pod's tolerations.", S.object("The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect>.", [
            "key": S.string("Key is the taint key that the toleration applies to."),
            "operator": S.string("Operator represents a key's relationship to the value: Exists or Equal."),
            "value": S.string("Value is the taint value the toleration matches to."),
            "effect": S.string("Effect indicates the taint effect to match."),
            "tolerationSeconds": int64("TolerationSeconds represents the period of time the toleration tolerates the taint."),
        ])),
        "affinity": S.free("If specified, the pod's scheduling constraints."),
        "securityContext": S.free("SecurityContext holds pod-level security attributes and common container settings."),
    ])

    static let template = S.object("Template describes the pods that will be created.", [
        "metadata": S.object("Standard object's metadata.", [
            "labels": S.stringMap("Map of string keys and values that can be used to organize and categorize objects."),
            "annotations": S.stringMap("Annotations is an unstructured key value map stored with a resource."),
        ]),
        "spec": podSpec,
    ])
}
