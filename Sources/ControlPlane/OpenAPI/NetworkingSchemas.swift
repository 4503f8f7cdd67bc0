import KubernetesAPI

/// The schema of networking.k8s.io/v1 NetworkPolicy, stored and served as kube-apiserver serves it
/// (no Pods run here, so nothing enforces it).
extension BuiltinSchemas {
    static let networkPolicyPort = object("NetworkPolicyPort describes a port to allow traffic on.", [
        "protocol": string("protocol represents the protocol (TCP, UDP, or SCTP) which traffic must match. If not specified, this field defaults to TCP."),
        "port": ["description": "port represents the port on the given protocol: a numerical or named port on a pod.", "x-kubernetes-int-or-string": true],
        "endPort": integer("endPort indicates that the range of ports from port to endPort if set, inclusive, should be allowed by the policy."),
    ])

    static let networkPolicyPeer = object("NetworkPolicyPeer describes a peer to allow traffic to/from.", [
        "podSelector": free("podSelector is a label selector which selects pods."),
        "namespaceSelector": free("namespaceSelector selects namespaces using cluster-scoped labels."),
        "ipBlock": object("ipBlock defines policy on a particular IPBlock.", [
            "cidr": string("cidr is a string representing the IPBlock, such as 192.168.1.0/24."),
            "except": array("except is a slice of CIDRs that should not be included within an IPBlock.", string("")),
        ], required: ["cidr"]),
    ])

    static let networkPolicy = kind("NetworkPolicy describes what network traffic is allowed for a set of Pods.", [
        "spec": object("spec represents the specification of the desired behavior for this NetworkPolicy.", [
            "podSelector": free("podSelector selects the pods to which this NetworkPolicy object applies; an empty selector selects all pods in the namespace."),
            "policyTypes": array("policyTypes is a list of rule types that the NetworkPolicy relates to: Ingress, Egress.", string("")),
            "ingress": array("ingress is a list of ingress rules to be applied to the selected pods.", object("NetworkPolicyIngressRule describes a particular set of traffic that is allowed to the pods matched by a NetworkPolicySpec's podSelector.", [
                "from": array("from is a list of sources which should be able to access the pods selected for this rule.", networkPolicyPeer),
                "ports": array("ports is a list of ports which should be made accessible on the pods selected for this rule.", networkPolicyPort),
            ])),
            "egress": array("egress is a list of egress rules to be applied to the selected pods.", object("NetworkPolicyEgressRule describes a particular set of traffic that is allowed out of pods matched by a NetworkPolicySpec's podSelector.", [
                "to": array("to is a list of destinations for outgoing traffic of pods selected for this rule.", networkPolicyPeer),
                "ports": array("ports is a list of destination ports for outgoing traffic.", networkPolicyPort),
            ])),
        ]),
    ])
}

extension BuiltinResources {
    /// NetworkPolicy (networking.k8s.io/v1).
    static let networking: [ResourceDefinition] = [
        ResourceDefinition(
            group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy", plural: "networkpolicies", singular: "networkpolicy",
            listKind: "NetworkPolicyList", namespaced: true, shortNames: ["netpol"], schema: BuiltinSchemas.networkPolicy)
    ]
}
