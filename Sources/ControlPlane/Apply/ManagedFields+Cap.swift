/// At most ten `Update` entries are kept: the oldest are folded into one `ancient-changes` entry per API
/// version, as kube-apiserver does, so objects written by many clients keep a bounded managedFields.
extension ManagedFields {
    /// Most `Update` entries an object keeps.
    static let maxUpdateManagers = 10
    /// The manager the oldest updates are folded into.
    static let ancientChangesManager = "ancient-changes"

    /// These entries with the oldest updates folded into `ancient-changes` while there are too many.
    mutating func capUpdateManagers() {
        var count = entries.filter { $0.identity.operation == .update && !$0.fields.isEmpty }.count
        guard count > Self.maxUpdateManagers else { return }
        let oldestFirst = entries.filter { $0.identity.operation == .update && !$0.fields.isEmpty }
            .sorted { ($0.time ?? "") < ($1.time ?? "") }
        for entry in oldestFirst where count > Self.maxUpdateManagers {
            let bucket = ManagerIdentity(
                manager: Self.ancientChangesManager, operation: .update, subresource: nil, apiVersion: entry.apiVersion)
            guard entry.identity != bucket else { continue }
            entries.removeAll { $0.identity == entry.identity }
            if var existing = self[bucket] {
                existing.fields = existing.fields.union(entry.fields)
                existing.time = entry.time
                set(existing)
                count -= 1
            } else {
                set(ManagedFieldsEntry(identity: bucket, apiVersion: entry.apiVersion, time: entry.time, fields: entry.fields))
            }
        }
    }
}
