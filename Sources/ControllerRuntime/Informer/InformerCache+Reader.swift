import Foundation
import KubeClient
import KubernetesAPI

extension InformerCache: ObjectReader {
    /// The cached object; throws a NotFound `KubeAPIError` when absent (as the API would).
    public func get(_ name: String, namespace: String?) async throws -> Object {
        guard let o = get(name: name, namespace: namespace) else {
            throw KubeAPIError(
                status: Status(message: "\"\(name)\" not found in the informer cache", reason: StatusReason.notFound, details: StatusDetails(name: name), code: 404),
                statusCode: 404)
        }
        return o
    }

    /// Cached objects in a namespace (nil: all) matching a label selector (nil: all), sorted by key.
    public func list(in namespace: String?, matching selector: LabelSelector?) async throws -> [Object] {
        list(namespace: namespace, labelSelector: selector)
    }
}
