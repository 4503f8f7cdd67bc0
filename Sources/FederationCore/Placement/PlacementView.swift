import FederationAPI
import Foundation

/// What one ActiveActive planning pass knows of each datacenter it looks at, read once from the
/// input in name order, so the pass never searches by name again.
struct PlacementView {
    /// What the pass reads of a Datacenter's health: ``SiteHealth`` without its name, so that an
    /// entry is copied without reference counting.
    struct Site {
        /// `status.phase` of the Datacenter.
        let phase: DatacenterPhase
        /// When its run of failed probes began, or nil.
        let unhealthySince: Date?
        /// Since when it has been Ready without interruption, or nil.
        let readySince: Date?
        /// Cordoned (`spec.unschedulable`).
        let unschedulable: Bool
        /// Whether the workload exists there.
        let hasWorkload: Bool
        /// Whether the workload's status describes its current spec.
        let statusCurrent: Bool
        /// Replicas it can still take for this service (nil: unbounded).
        let freeReplicas: Int?
        /// Whether the controller reaches it (Ready or Suspect).
        let reachable: Bool
        /// The workload's ready replicas there (0 when unreachable).
        let ready: Int

        init(_ site: SiteHealth) {
            phase = site.phase
            unhealthySince = site.unhealthySince
            readySince = site.readySince
            unschedulable = site.unschedulable
            hasWorkload = site.hasWorkload
            statusCurrent = site.statusCurrent
            freeReplicas = site.freeReplicas
            reachable = site.phase == .ready || site.phase == .suspect
            ready = reachable ? site.readyReplicas ?? 0 : 0
        }
    }

    /// One datacenter's facts, and what the pass decides for it; its name is `names` at the same
    /// position.
    struct Entry {
        /// Its health as the Datacenter's persisted status shows it (nil when unknown).
        var site: Site?
        /// The member's spec replicas as read (nil: unknown or no copy).
        var desired: Int?
        /// Whether `spec.placement.datacenterSelector` selects it.
        let selected: Bool
        /// The share the last pass planned there (its status): a returning datacenter's stale copy
        /// does not make it a candidate again.
        let planned: Int
        /// Whether the last pass divided over it (status role `Active`), even if its share was 0.
        let wasCandidate: Bool
        /// The position of the last pass's status entry for it in `recorded` (-1: none).
        let recordedAt: Int
        /// Lost: Unreachable for `unhealthyForSeconds` (set by the pass).
        var lost = false
        /// The division's share (set by the pass).
        var target = 0
        /// Whether this pass divides over it (set by the pass).
        var candidate = false
        /// Ready and selected but left out until a person asks for a rebalance (`failback: Manual`;
        /// set by the pass, and said in the Ready message).
        var awaitsRebalance = false
        /// Its weight in the division (set by ``PlacementView/weigh(_:)``).
        var weight = 1

        /// An entry read from the last pass's status entry for it, `recorded[recordedAt]` (none
        /// when `recordedAt` is -1).
        init(selected: Bool, _ recorded: [ServiceDatacenterStatus], at recordedAt: Int) {
            self.selected = selected
            planned = recordedAt >= 0 ? recorded[recordedAt].desiredReplicas ?? 0 : 0
            wasCandidate = recordedAt >= 0 && recorded[recordedAt].role == .active
            self.recordedAt = recordedAt
        }

        /// What runs there now: the member's spec when read, else what status last recorded.
        var current: Int { desired ?? planned }
        /// Whether the controller reaches it (Ready or Suspect).
        var reachable: Bool { site?.reachable ?? false }
        /// The workload's ready replicas there (0 when unreachable).
        var ready: Int { site?.ready ?? 0 }
        /// Whether status lists it: selected, or running replicas before or after the pass.
        var listed: Bool { selected || target > 0 || current > 0 }
    }

    /// The datacenters' names, in order.
    let names: [String]
    /// The datacenters, in name order.
    var entries: [Entry]
    /// Whether some entry ``Entry/awaitsRebalance`` (set by the pass, so messages skip the search otherwise).
    var awaitingRebalance = false
    /// Whether some placed entry is Unreachable but not lost yet (set by the pass).
    var awaitingLoss = false
    /// The last pass's status entries, which `Entry.recordedAt` points into.
    let recorded: [ServiceDatacenterStatus]
    /// The status's names when they are `names` (`recorded[i].name` for each entry), for search.
    private var index: RecordedNames?

    /// Reads every datacenter the pass looks at from the input, in name order: the selected ones,
    /// and those the service runs in or `recorded` (the last pass's status entries) placed
    /// replicas in (unselected, usually none). A settled service's last status lists exactly the
    /// selected datacenters in name order, and then its names are taken as they are; otherwise
    /// the names are sorted and the status, usually written in name order, is matched to them by
    /// walking both lists; only other orders are hashed.
    init(_ input: ActiveActiveInput, recorded: [ServiceDatacenterStatus]) {
        self.recorded = recorded
        if let (names, entries, index) = Self.asRecorded(input, recorded) {
            (self.names, self.entries, self.index) = (names, entries, index)
            return
        }
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
        var first: [String: Int] = [:]
        if at == nil {
            for (k, entry) in recorded.enumerated() where first[entry.name] == nil { first[entry.name] = k }
        }
        var entries: [Entry] = []
        entries.reserveCapacity(names.count)
        for (i, dc) in names.enumerated() {
            let k = at.map { $0[i] } ?? first[dc] ?? -1
            var entry = Entry(selected: outside.isEmpty || !outside.contains(dc), recorded, at: k)
            entry.site = input.sites[dc].map(Site.init)
            entry.desired = desired[i]
            entries.append(entry)
        }
        (self.names, self.entries) = (names, entries)
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

    /// Sets every entry's weight: `weights`' first entry for its name (1 when not listed, never
    /// below 0), found by binary search over the sorted names (their keys when they are the
    /// status's) rather than hashed per datacenter.
    mutating func weigh(_ weights: [DatacenterWeight]) {
        // Backwards, so the first entry of a name is the one that stays.
        for weight in weights.reversed() {
            if let index {
                switch index.position(of: weight.datacenter) {
                case .at(let i):
                    entries[i].weight = max(0, weight.weight)
                    continue
                case .absent: continue
                case .unknown: break  // Not ASCII: searched as a string below.
                }
            }
            var low = 0, high = names.count
            while low < high {
                let middle = (low + high) / 2
                if names[middle] < weight.datacenter { low = middle + 1 } else { high = middle }
            }
            if low < names.count, names[low] == weight.datacenter { entries[low].weight = max(0, weight.weight) }
        }
    }

    /// The ready replicas status shows for datacenter `i`: those read, or for one out of reach the
    /// count last seen there (its endpoints too are those last seen).
    func shownReady(_ i: Int) -> Int {
        let e = entries[i]
        guard !e.reachable, e.recordedAt >= 0 else { return e.ready }
        return recorded.withUnsafeBufferPointer { $0[e.recordedAt].readyReplicas ?? 0 }
    }

    /// The status entry of datacenter `i` after the pass.
    func status(_ i: Int) -> ServiceDatacenterStatus {
        let e = entries[i]
        return ServiceDatacenterStatus(
            name: names[i], role: e.candidate ? .active : nil, reachable: e.reachable, desiredReplicas: e.target, readyReplicas: shownReady(i),
            endpoints: e.recordedAt >= 0 ? recorded.withUnsafeBufferPointer { $0[e.recordedAt].endpoints } : nil)
    }

    /// Whether the last status's entry for datacenter `i` is ``status(_:)``, to the byte of its name.
    func isRecorded(_ i: Int) -> Bool {
        let e = entries[i], k = e.recordedAt
        guard k >= 0 else { return false }
        return recorded.withUnsafeBufferPointer { recorded in
            recorded[k].role == (e.candidate ? .active : nil) && recorded[k].reachable == e.reachable && recorded[k].desiredReplicas == e.target
                && recorded[k].readyReplicas == (e.reachable ? e.ready : recorded[k].readyReplicas) && (index != nil || recorded[k].name.utf8.elementsEqual(names[i].utf8))
        }
    }

    /// Whether the last pass's division and the new one differ (what ``describe(_:)`` would show).
    var divisionChanged: Bool { entries.contains { max(0, $0.planned) != $0.target } }
}
