import Foundation

extension KeyedDecodingContainer {
    /// Decodes a list that may be absent or `null`, as an empty list.
    func decodeList<T: Decodable>(_ type: T.Type = T.self, forKey key: Key) throws -> [T] {
        try decodeIfPresent([T].self, forKey: key) ?? []
    }

    /// Decodes `apiVersion`, falling back to the type's own (built-in list items omit it).
    func decodeAPIVersion<R: KubeResource>(of resource: R.Type, forKey key: Key) throws -> String {
        try decodeIfPresent(String.self, forKey: key) ?? R.apiVersion
    }

    /// Decodes `kind`, falling back to the type's own (built-in list items omit it).
    func decodeKind<R: KubeResource>(of resource: R.Type, forKey key: Key) throws -> String {
        try decodeIfPresent(String.self, forKey: key) ?? R.kind
    }

    /// Decodes `metadata`, treating an absent one as empty.
    func decodeMetadata(forKey key: Key) throws -> ObjectMeta {
        try decodeIfPresent(ObjectMeta.self, forKey: key) ?? ObjectMeta()
    }
}

extension Comparable {
    /// The value limited to a closed range.
    func clamped(to range: ClosedRange<Self>) -> Self { Swift.min(Swift.max(self, range.lowerBound), range.upperBound) }
}
