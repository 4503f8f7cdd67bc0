import FederationAPI

extension PlacementView {
    /// The names and entries of a settled service's pass, the usual one: the last status lists
    /// exactly the selected datacenters, in name order, and the service runs in no other. The
    /// names are then the status's, neither sorted nor aligned again, and the input's sets and
    /// dictionaries are walked and each name found among the status's names by its integer key
    /// (``RecordedNames``) instead of hashed as a string. Nil when the status says otherwise, or some name is not ASCII (then
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
/// ``NameOrder`` sorts by: a name is found by its key (two integers), in a hash table of the keys
/// for a long list or by binary search for a short one. Names of at most 16 bytes are told apart by
/// their key and length; only longer ones equal in their first 16 bytes are compared as strings.
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
    /// Each name's length in bytes, with the table.
    private let lengths: [Int]
    /// Open addressing over the keys' words (an index into `keys`, -1 for none), for lists longer
    /// than ``hashedFrom``; empty otherwise.
    private let table: [Int32]
    /// The length from which names are found by hashing rather than binary search.
    static let hashedFrom = 32

    /// Nil unless the names strictly ascend and are all ASCII.
    init?(_ recorded: [ServiceDatacenterStatus]) {
        var keys: [NameOrder.Key] = [], lengths: [Int] = []
        keys.reserveCapacity(recorded.count)
        for k in recorded.indices {
            guard let key = NameOrder.key(recorded[k].name, index: k) else { return nil }
            // Ascending words are ascending names; equal words leave it to the strings.
            if let last = keys.last, !last.wordsPrecede(key), !(last.sameWords(as: key) && recorded[k - 1].name < recorded[k].name) { return nil }
            keys.append(key)
        }
        var table: [Int32] = []
        if keys.count > Self.hashedFrom, keys.count < Int(Int32.max) / 2 {
            for entry in recorded { lengths.append(entry.name.utf8.count) }
            table = Array(repeating: -1, count: 1 << (Int.bitWidth - (2 * keys.count - 1).leadingZeroBitCount))
            for k in keys.indices {
                var slot = Self.slot(keys[k], in: table.count)
                while table[slot] >= 0 { slot = (slot + 1) & (table.count - 1) }
                table[slot] = Int32(k)
            }
        }
        (self.recorded, self.keys, self.lengths, self.table) = (recorded, keys, lengths, table)
    }

    /// A key's first slot in a table of `size` (a power of two) slots.
    private static func slot(_ key: NameOrder.Key, in size: Int) -> Int {
        let mixed = (key.high ^ (key.low &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: mixed >> 32) & (size - 1)
    }

    /// The index of `name`'s entry.
    func position(of name: String) -> Position {
        guard let key = NameOrder.key(name, index: 0) else { return .unknown }
        if !table.isEmpty {
            let length = name.utf8.count
            var slot = Self.slot(key, in: table.count)
            while table[slot] >= 0 {
                let k = Int(table[slot])
                if keys[k].sameWords(as: key), lengths[k] == length, length <= 16 || recorded[k].name == name { return .at(k) }
                slot = (slot + 1) & (table.count - 1)
            }
            return .absent
        }
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
