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

    /// Reads `names` (sorted, unique; every one selected but those in `unselected`) from the input;
    /// `recorded` is the status entry the last pass wrote per datacenter.
    init(_ names: [String], unselected: Set<String>, input: ActiveActiveInput, recorded: [String: ServiceDatacenterStatus]) {
        entries = []
        entries.reserveCapacity(names.count)
        for dc in names {
            let site = input.sites[dc], last = recorded[dc], desired = input.desiredReplicas[dc]
            let reaches = site.map { $0.phase == .ready || $0.phase == .suspect } ?? false
            entries.append(Entry(
                name: dc, site: site, selected: unselected.isEmpty || !unselected.contains(dc), planned: last?.desiredReplicas ?? 0,
                wasCandidate: last?.role == .active,
                current: desired ?? last?.desiredReplicas ?? 0, desired: desired, reachable: reaches,
                ready: reaches ? site?.readyReplicas ?? 0 : 0, endpoints: last?.endpoints))
        }
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
        var text = ""
        text.reserveCapacity(entries.count * 16)
        for entry in entries where replicas(entry) > 0 {
            if !text.isEmpty { text += "," }
            text += entry.name
            text += "="
            text += String(replicas(entry))
        }
        return text
    }

    /// Whether the last pass's division and the new one differ (what ``describe(_:)`` would show).
    var divisionChanged: Bool { entries.contains { max(0, $0.planned) != $0.target } }
}
