import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Logging

/// Reports Concord objects that the controller cannot decode on the objects themselves: a
/// `Stalled=True` condition with reason `InvalidObject` naming the field and the error, written as
/// a merge patch of `/status` built from the raw JSON (so it works although the object does not
/// decode). When the object decodes again the condition is removed. Other resources are left alone:
/// their informers only log and count.
///
/// ```swift
/// let invalid = InvalidObjectReporter(hub: hub, now: options.now, logger: logger)
/// cache.addDecodeFailureHandler(invalid.handle)
/// ```
struct InvalidObjectReporter: Sendable {
    /// The reason of the `Stalled` condition.
    static let reason = "InvalidObject"
    /// Concord's own kinds and whether each is namespaced.
    static let kinds: [GroupVersionResource: Bool] = [
        Datacenter.groupVersionResource: Datacenter.isNamespaced,
        FederationPolicy.groupVersionResource: FederationPolicy.isNamespaced,
        ServiceFailover.groupVersionResource: ServiceFailover.isNamespaced,
        ReplicationRule.groupVersionResource: ReplicationRule.isNamespaced,
    ]
    /// Messages longer than this are cut (a decoder's message can quote the whole value).
    static let maxMessage = 1024

    let hub: KubeClient
    let now: @Sendable () -> Date
    let logger: Logger

    /// The handler to register on informers (`addDecodeFailureHandler`).
    var handle: @Sendable (DecodeFailureEvent) async -> Void {
        { [self] event in
            switch event {
            case .skipped(let bad, let resource): await markInvalid(bad, resource)
            case .recovered(let key, let resource): await clearInvalid(key, resource)
            }
        }
    }

    /// The status merge patch that marks `bad` invalid, or nil when it already carries that mark.
    static func statusPatch(for bad: UndecodableObject, at time: Date) -> JSONValue? {
        let message = String("Concord cannot decode this object, so it ignores it until the field is fixed: \(bad.message)".prefix(maxMessage))
        let existing = (bad.raw.value(at: ["status", "conditions"])?.arrayValue ?? []).filter { (try? $0.decode(Condition.self)) != nil }
        let stalled = existing.first { $0["type"]?.stringValue == CommonConditionType.stalled }
        if stalled?["reason"]?.stringValue == reason, stalled?["message"]?.stringValue == message, stalled?["status"]?.stringValue == "True" {
            return nil
        }
        var condition: JSONValue = [
            "type": .string(CommonConditionType.stalled), "status": "True", "reason": .string(reason), "message": .string(message),
            "lastTransitionTime": .string(KubeTime(time).description),
        ]
        if let generation = bad.metadata.generation { condition["observedGeneration"] = .int(generation) }
        var status: [String: JSONValue] = [
            "conditions": .array(existing.filter { $0["type"]?.stringValue != CommonConditionType.stalled } + [condition])
        ]
        // Status is the controller's own: a status field it cannot read is dropped rather than kept.
        let path = bad.fieldPath.split(separator: ".").map(String.init)
        if path.count > 1, path[0] == "status", let field = path[1].split(separator: "[").first, field != "conditions" {
            status[String(field)] = .null
        }
        return ["status": .object(status)]
    }

    private func client(_ resource: GroupVersionResource) -> DynamicResourceClient? {
        guard let namespaced = Self.kinds[resource] else { return nil }
        return hub.dynamic(resource, namespaced: namespaced)
    }

    private func markInvalid(_ bad: UndecodableObject, _ resource: GroupVersionResource) async {
        guard let client = client(resource), let patch = Self.statusPatch(for: bad, at: now()) else { return }
        let meta = bad.metadata
        do {
            _ = try await client.patch(meta.name ?? "", namespace: meta.namespace, type: .merge, patch: patch, subresource: "status")
            logger.info("Marked an undecodable object Stalled", metadata: ["resource": "\(resource.groupResource)", "object": "\(bad.key)", "field": "\(bad.fieldPath)"])
        } catch {
            logger.warning("Could not mark an undecodable object Stalled", metadata: ["resource": "\(resource.groupResource)", "object": "\(bad.key)", "error": "\(error)"])
        }
    }

    /// Removes the `InvalidObject` mark; retries a few times when the object changes under it.
    private func clearInvalid(_ key: ObjectKey, _ resource: GroupVersionResource) async {
        guard let client = client(resource) else { return }
        for _ in 0..<3 {
            do {
                let object = try await client.get(key.name, namespace: key.namespace)
                let conditions = object.value(at: ["status", "conditions"])?.arrayValue ?? []
                let kept = conditions.filter { !($0["type"]?.stringValue == CommonConditionType.stalled && $0["reason"]?.stringValue == Self.reason) }
                guard kept.count < conditions.count else { return }
                let rv = object.value(at: ["metadata", "resourceVersion"]) ?? .null
                let patch: JSONValue = ["metadata": ["resourceVersion": rv], "status": ["conditions": .array(kept)]]
                _ = try await client.patch(key.name, namespace: key.namespace, type: .merge, patch: patch, subresource: "status")
                logger.info("Cleared the InvalidObject mark of an object that decodes again", metadata: ["resource": "\(resource.groupResource)", "object": "\(key)"])
                return
            } catch let error as KubeAPIError where error.isConflict {
                continue
            } catch {
                logger.warning("Could not clear the InvalidObject mark", metadata: ["resource": "\(resource.groupResource)", "object": "\(key)", "error": "\(error)"])
                return
            }
        }
    }
}
