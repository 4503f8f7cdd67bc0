import FederationAPI

extension PlacementView {
    /// The names and entries of a settled service's pass, the usual one: the last status lists
    /// exactly the selected datacenters, in name order, and the service runs in no other. The
    /// names are then the status's, neither sorted nor aligned again, and the input's sets and
    /// dictionaries are walked and each name found by binary search over the status's names
    /// instead of hashed. Nil when the status says otherwise, or some name is not ASCII (then
    /// only `String`'s own comparison and hashing know which names are equal).
    static func asRecorded(_ input: ActiveActiveInput, _ recorded: [ServiceDatacenterStatus]) -> ([String], [Entry], RecordedNames)? {
        guard !recorded.isEmpty, recorded.count == input.selected.count, let index = RecordedNames(recorded) else { return nil }
        // As many distinct names as the status's, each listed there: the same set.
        for name in input.selected {
            guard case .at = index.position(of: name) else { return nil }
        }
        var entries: [Entry] = []
        entries.reserveCapacity(recorded.count)
        for k in recorded.indices { entries.append(Entry(selected: true, recorded, at: k)) }
        for (name, site) in input.sites {
            switch index.position(of: name) {
            case .at(let p): entries[p].site = Site(site)
            case .absent: continue
            case .unknown: return nil
            }
        }
        for (name, replicas) in input.desiredReplicas {
            switch index.position(of: name) {
            case .at(let p): entries[p].desired = replicas
            // Replicas in a datacenter that is not selected: the general walk adds it.
            case .absent: if replicas > 0 { return nil }
            case .unknown: return nil
            }
        }
        return (recorded.map(\.name), entries, index)
    }
}

/// The names of a status's entries, strictly ascending and all ASCII, with the keys
/// ``NameOrder`` sorts by: a name is found by binary search over the keys (two integers), and
/// only names equal in their first 16 bytes are compared as strings.
struct RecordedNames {
    /// Where a name is.
    enum Position {
        /// At this index.
        case at(Int)
        /// Not listed.
        case absent
        /// Not ASCII: only `String`'s comparison could tell (a different code point sequence may
        /// be canonically equal to a listed name).
        case unknown
    }

    private let recorded: [ServiceDatacenterStatus]
    private let keys: [NameOrder.Key]

    /// Nil unless the names strictly ascend and are all ASCII.
    init?(_ recorded: [ServiceDatacenterStatus]) {
        var keys: [NameOrder.Key] = []
        keys.reserveCapacity(recorded.count)
        for k in recorded.indices {
            guard let key = NameOrder.key(recorded[k].name, index: k) else { return nil }
            // Ascending words are ascending names; equal words leave it to the strings.
            if let last = keys.last, !last.wordsPrecede(key), !(last.sameWords(as: key) && recorded[k - 1].name < recorded[k].name) { return nil }
            keys.append(key)
        }
        (self.recorded, self.keys) = (recorded, keys)
    }

    /// The index of `name`'s entry.
    func position(of name: String) -> Position {
        guard let key = NameOrder.key(name, index: 0) else { return .unknown }
        // The first key not below `key`'s words; ascending names have non-descending words.
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle].wordsPrecede(key) { low = middle + 1 } else { high = middle }
        }
        while low < keys.count, keys[low].sameWords(as: key) {
            if recorded[low].name == name { return .at(low) }
            low += 1
        }
        return .absent
    }
}
