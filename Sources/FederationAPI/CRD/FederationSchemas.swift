import Foundation
import KubernetesAPI

/// Schema fragments shared by the four federation kinds.
extension JSONSchemaProps {
    /// A field naming a Datacenter (an object name).
    public static func datacenterName(_ description: String) -> JSONSchemaProps {
        .string(description, pattern: objectNamePattern, minLength: 1, maxLength: 253)
    }
}
