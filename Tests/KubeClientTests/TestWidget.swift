import Foundation
import KubernetesAPI

/// A small namespaced kind with a status, for typed-client tests.
struct Widget: KubeResource, StatusHavingResource, Equatable {
    static let groupVersionResource = GroupVersionResource(group: "test.concord.dev", version: "v1", resource: "widgets")
    static let kind = "Widget"
    static let isNamespaced = true

    struct Spec: Codable, Sendable, Equatable { var size: Int }
    struct WidgetStatus: Codable, Sendable, Equatable { var ready: Bool }

    var apiVersion: String? = Widget.apiVersion
    var kind: String? = Widget.kind
    var metadata: ObjectMeta
    var spec: Spec
    var status: WidgetStatus?
}
