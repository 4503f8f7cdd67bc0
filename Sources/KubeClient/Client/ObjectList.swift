import Foundation
import KubernetesAPI

/// One page (or all pages) of a LIST: the items and the list's resourceVersion.
public struct ObjectList<Object: Sendable>: Sendable {
    /// The objects.
    public var items: [Object]
    /// The revision the list was read at: watch from here.
    public var resourceVersion: String
    /// The token for the next page, when the list was paginated.
    public var continueToken: String?
    /// The server's estimate of the remaining items.
    public var remainingItemCount: Int64?
    /// Items the typed decoder refused; they are not in `items`.
    public var undecodable: [UndecodableObject]

    /// Creates a list.
    public init(items: [Object], resourceVersion: String, continueToken: String? = nil, remainingItemCount: Int64? = nil, undecodable: [UndecodableObject] = []) {
        self.items = items
        self.undecodable = undecodable
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}

/// A request that could not be built from the arguments given (a missing name, say).
public struct KubeUsageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
