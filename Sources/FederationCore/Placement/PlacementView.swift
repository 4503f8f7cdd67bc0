import FederationAPI

/// What one ActiveActive planning pass knows of each datacenter it looks at, read once from the
/// input in name order, so the pass never searches by name again.
struct PlacementView {
    /// One datacenter's facts, and what the pass decides for it.
    struct Entry {
        /// The Datacenter's name.
        let name: String
        /// Its health as the Datacenter's persisted status shows it (nil when unknown).
        let site: SiteHealth?
        /// Whether `spec.placement.datacenterSelector` selects it.
        let selected: Bool
        /// The share the last pass planned there (its status): a returning datacenter's stale copy
        /// does not make it a candidate again.
        let planned: Int
        /// Whether the last pass divided over it (status role `Active`), even if its share was 0.
        let wasCandidate: Bool
        /// What runs there now: the member's spec when read, else what status last recorded.
        let current: Int
        /// The member's spec replicas as read (nil: unknown or no copy).
        let desired: Int?
        /// Whether the controller reaches it (Ready or Suspect).
        let reachable: Bool
        /// The workload's ready replicas there (0 when unreachable).
        let ready: Int
        /// The endpoints status last recorded there.
        let endpoints: [String]?
        /// Lost: Unreachable for `unhealthyForSeconds` (set by the pass).
        var lost = false
        /// The division's share (set by the pass).
        var target = 0
        /// Whether this pass divides over it (set by the pass).
        var candidate = false
    }

    /// The datacenters, in name order.
    var entries: [Entry]

    /// Reads every datacenter the pass looks at from the input, in name order: the selected ones,
    /// and those the service runs in or `recorded` (the last pass's status entries) placed
    /// replicas in (unselected, usually none). The last pass wrote its entries in name order, so
    /// they are matched to the names by walking both lists; only other orders are hashed.
    init(_ input: ActiveActiveInput, recorded: [ServiceDatacenterStatus]) {
        var names = NameOrder.sorted(input.selected)
        var outside: Set<String> = []
        var at = Self.align(recorded, to: names, outside: &outside)
        if at == nil {
            for entry in recorded where (entry.desiredReplicas ?? 0) > 0 && !input.selected.contains(entry.name) { outside.insert(entry.name) }
        }
        var desired = Self.lookUp(input.desiredReplicas, names)
        // Every running replica the lookups found is in a selected datacenter unless some were missed.
        let running = input.desiredReplicas.values.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        if running != desired.reduce(0, { $0 + (($1 ?? 0) > 0 ? 1 : 0) }) {
            for (dc, replicas) in input.desiredReplicas where replicas > 0 && !input.selected.contains(dc) { outside.insert(dc) }
        }
        if !outside.isEmpty {
            names = NameOrder.sorted(names + outside)
            var ignored: Set<String> = []
            at = Self.align(recorded, to: names, outside: &ignored)
            desired = Self.lookUp(input.desiredReplicas, names)
        }
        // Status written in another order: its first entry of each name.
        let first = at == nil ? Dictionary(recorded.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }) : [:]
        entries = []
        entries.reserveCapacity(names.count)
        for (i, dc) in names.enumerated() {
            let site = input.sites[dc], desired = desired[i]
            let last = at.map { $0[i] >= 0 ? recorded[$0[i]] : nil } ?? first[dc]
            let reaches = site.map { $0.phase == .ready || $0.phase == .suspect } ?? false
            entries.append(Entry(
                name: dc, site: site, selected: outside.isEmpty || !outside.contains(dc), planned: last?.desiredReplicas ?? 0,
                wasCandidate: last?.role == .active,
                current: desired ?? last?.desiredReplicas ?? 0, desired: desired, reachable: reaches,
                ready: reaches ? site?.readyReplicas ?? 0 : 0, endpoints: last?.endpoints))
        }
    }

    /// The position in `recorded` of each name's entry (-1: none) when `recorded` is in strictly
    /// ascending name order (nil otherwise); adds to `outside` the entries with replicas that
    /// match no name.
    private static func align(_ recorded: [ServiceDatacenterStatus], to names: [String], outside: inout Set<String>) -> [Int]? {
        for k in recorded.indices.dropFirst() where !(recorded[k - 1].name < recorded[k].name) { return nil }
        var at = [Int](repeating: -1, count: names.count)
        var j = 0
        for (i, name) in names.enumerated() {
            while j < recorded.count, recorded[j].name < name {
                if (recorded[j].desiredReplicas ?? 0) > 0 { outside.insert(recorded[j].name) }
                j += 1
            }
            if j < recorded.count, recorded[j].name == name {
                at[i] = j
                j += 1
            }
        }
        for entry in recorded[j...] where (entry.desiredReplicas ?? 0) > 0 { outside.insert(entry.name) }
        return at
    }

    /// `replicas` of each name (nil: absent).
    private static func lookUp(_ replicas: [String: Int], _ names: [String]) -> [Int?] {
        replicas.isEmpty ? Array(repeating: nil, count: names.count) : names.map { replicas[$0] }
    }

    /// The weight of every entry: `weights`' first entry for its name (1 when not listed, never
    /// below 0), found by binary search over the sorted names rather than hashed per datacenter.
    func weights(_ weights: [DatacenterWeight]) -> [Int] {
        var found = Array(repeating: 1, count: entries.count)
        // Backwards, so the first entry of a name is the one that stays.
        for weight in weights.reversed() {
            var low = 0, high = entries.count
            while low < high {
                let middle = (low + high) / 2
                if entries[middle].name < weight.datacenter { low = middle + 1 } else { high = middle }
            }
            if low < entries.count, entries[low].name == weight.datacenter { found[low] = weight.weight }
        }
        return found.map { max(0, $0) }
    }

    /// Replicas per datacenter as one line, such as `eu-central=3,us-east=6,us-west=3` (the same
    /// text as ``ActiveActivePlanner/describe(_:)``, without sorting: the names are in order).
    func describe(_ replicas: (Entry) -> Int) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(entries.count * 16)
        for entry in entries where replicas(entry) > 0 {
            if !text.isEmpty { text.append(UInt8(ascii: ",")) }
            text.append(contentsOf: entry.name.utf8)
            text.append(UInt8(ascii: "="))
            Self.append(replicas(entry), to: &text)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A positive `value`'s decimal digits (as `String(value)` writes them).
    private static func append(_ value: Int, to text: inout [UInt8]) {
        let start = text.count
        var rest = value
        repeat {
            text.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        text[start...].reverse()
    }

    /// Whether the last pass's division and the new one differ (what ``describe(_:)`` would show).
    var divisionChanged: Bool { entries.contains { max(0, $0.planned) != $0.target } }
}
