import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient

/// What Concord puts into a member datacenter, and how it takes it out again.
///
/// Registration installs the fencing marker, ConfigMap `concord-system/concord-federation`
/// (`policy`, `primary`, `epoch`; the FederationPolicy fills them), creating the namespace when the
/// member lacks it. The Datacenter finalizer removes the marker, and the namespace only when
/// Concord created it.
enum MemberFootprint {
    /// Labels every object Concord owns in a member.
    static let managedByLabel = "app.kubernetes.io/managed-by"
    /// Marks a namespace Concord created (and may therefore delete).
    static let createdByAnnotation = "federation.concord.dev/created-by"

    /// Installs the marker if missing; an existing marker (with its epoch) is left untouched.
    static func install(on member: KubeClient, datacenter: String, timeout: Duration, clock: RuntimeClock) async throws {
        try await withTimeout(timeout, "installing the fencing marker", clock: clock) { try await installMarker(on: member, datacenter: datacenter) }
    }

    private static func installMarker(on member: KubeClient, datacenter: String) async throws {
        let options = WriteOptions(fieldManager: "concord")
        let namespaces = member.resource(Namespace.self)
        do {
            _ = try await namespaces.get(FencingMarker.namespace)
        } catch let error as KubeAPIError where error.isNotFound {
            let ns = Namespace(metadata: ObjectMeta(
                name: FencingMarker.namespace, labels: [managedByLabel: "concord"],
                annotations: [createdByAnnotation: "concord"]))
            do {
                _ = try await namespaces.create(ns, options: options)
            } catch let error as KubeAPIError where error.isAlreadyExists {}
        }
        let marker = ConfigMap(
            metadata: ObjectMeta(
                name: FencingMarker.name, namespace: FencingMarker.namespace,
                labels: [managedByLabel: "concord", FederationLabel.datacenter: datacenter]),
            data: ["datacenter": datacenter, FencingMarker.policyKey: "", FencingMarker.primaryKey: "", FencingMarker.epochKey: "0"])
        do {
            _ = try await member.resource(ConfigMap.self).create(marker, namespace: FencingMarker.namespace, options: options)
        } catch let error as KubeAPIError where error.isAlreadyExists {}
    }

    /// Removes the marker, and the namespace if Concord created it. Missing objects are fine.
    static func remove(from member: KubeClient, timeout: Duration, clock: RuntimeClock) async throws {
        try await withTimeout(timeout, "removing the fencing marker", clock: clock) { try await removeMarker(from: member) }
    }

    private static func removeMarker(from member: KubeClient) async throws {
        do {
            _ = try await member.resource(ConfigMap.self).delete(FencingMarker.name, namespace: FencingMarker.namespace)
        } catch let error as KubeAPIError where error.isNotFound {}
        let namespaces = member.resource(Namespace.self)
        do {
            let ns = try await namespaces.get(FencingMarker.namespace)
            if ns.metadata.annotations?[createdByAnnotation] == "concord" {
                _ = try await namespaces.delete(FencingMarker.namespace)
            }
        } catch let error as KubeAPIError where error.isNotFound {}
    }
}
