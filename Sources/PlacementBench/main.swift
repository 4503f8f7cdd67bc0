import FederationAPI
import FederationCore
import Foundation

// `placement-bench`: times Concord's ActiveActive division and planning (FederationCore, no I/O)
// for many services over many datacenters, per service and in all (for hack/bench/placement.sh).
//
//   placement-bench [--services 10000] [--datacenters 1000] [--selected N] [--seed 1]
//
// --selected is how many datacenters each service's selector picks (default: all of them).

/// The benchmark's settings, from the command line.
struct BenchOptions {
    var services = 10_000
    var datacenters = 1_000
    var selected: Int?
    var seed: UInt64 = 1

    /// Reads `--name value` pairs; exits with a one-line error on anything else.
    init(_ arguments: [String]) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let text = rest.popFirst(), let value = Int(text), value >= 1 else {
                Self.fail("\(flag) needs a whole number of at least 1 (usage: placement-bench [--services N] [--datacenters N] [--selected N] [--seed N])")
            }
            switch flag {
            case "--services": services = value
            case "--datacenters": datacenters = value
            case "--selected": selected = value
            case "--seed": seed = UInt64(value)
            default: Self.fail("unknown option \(flag) (usage: placement-bench [--services N] [--datacenters N] [--selected N] [--seed N])")
            }
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("placement-bench: \(message)\n".utf8))
        exit(2)
    }
}

/// Per-call durations, summed and ranked.
struct Timings {
    var samples: [Duration] = []

    var total: Duration { samples.reduce(.zero, +) }

    /// The q-quantile (0…1) by the nearest-rank method.
    func quantile(_ q: Double) -> Duration {
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }

    static func ms(_ d: Duration) -> String {
        String(format: "%.3f ms", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }

    func line(_ label: String) -> String {
        "\(label): total \(Self.ms(total)); per service p50 \(Self.ms(quantile(0.5))), p99 \(Self.ms(quantile(0.99))), max \(Self.ms(quantile(1)))"
    }
}

let options = BenchOptions(Array(CommandLine.arguments.dropFirst()))
let workload = PlacementWorkload(
    services: options.services, datacenters: options.datacenters, selected: options.selected ?? options.datacenters, seed: options.seed)
let clock = ContinuousClock()
// A fixed instant, so every run of the same seed computes (and digests) the same plans.
let now = Date(timeIntervalSince1970: 1_800_000_000)
var digest = ResultDigest()
print("placement-bench: \(options.services) ActiveActive services × \(options.datacenters) datacenters, \(workload.selected) candidates each, seed \(options.seed)")

// 1. The division alone, from nothing placed (the first placement).
var division = Timings()
var placedReplicas = 0, unplacedReplicas = 0, spreadShort = 0
for s in workload.specs.indices {
    let spec = workload.specs[s], candidates = workload.candidates(of: s)
    let placement = spec.placement ?? PlacementSpec()
    let start = clock.now
    let result = ReplicaDivision.divide(
        total: spec.replicas ?? 0, over: candidates, maxReplicasPerDatacenter: placement.maxReplicasPerDatacenter, minDatacenters: placement.effectiveMinDatacenters)
    division.samples.append(clock.now - start)
    placedReplicas += result.replicas.values.reduce(0, +)
    unplacedReplicas += result.unplaced
    if result.spreadShort { spreadShort += 1 }
    digest.add(result)
}
print(division.line("division (ReplicaDivision.divide, first placement)"))
print("  placed \(placedReplicas) replicas, \(unplacedReplicas) unplaced (no room), \(spreadShort) services short of minDatacenters")

// 2. Full planning passes (planActiveActive: candidates, division, effects, status), each service's
//    first placement (from nothing) and then the steady pass after it, every share ready: what
//    each resync costs.
var planning = Timings(), firstPlanning = Timings()
var settled = 0
// The steady inputs, kept for the resync below.
var inputs: [ActiveActiveInput] = []
inputs.reserveCapacity(workload.specs.count)
for s in workload.specs.indices {
    let firstInput = workload.input(of: s, placed: [:], status: nil, now: now)
    let firstStart = clock.now
    let first = planActiveActive(firstInput)
    firstPlanning.samples.append(clock.now - firstStart)
    let input = workload.steadyInput(of: s, after: first, now: now.addingTimeInterval(10))
    inputs.append(input)
    let start = clock.now
    let plan = planActiveActive(input)
    planning.samples.append(clock.now - start)
    digest.add(first)
    digest.add(plan)
    if plan.effects.allSatisfy({ if case .scale = $0 { false } else { true } }) { settled += 1 }
}
print(firstPlanning.line("planning pass (planActiveActive, first placement)"))
print(planning.line("planning pass (planActiveActive, steady state)"))
print("  \(settled) of \(options.services) passes settled (no scale writes)")

// 3. A resync: the same steady inputs, all read first (as a controller's caches hold them), then
//    planned back to back and timed as one, as a controller's resync of every service runs them.
// Timed several times over the same inputs: the best and the median round, and one round's plans digested.
var rounds: [Duration] = []
for round in 0..<5 {
    var plans: [ServicePlan] = []
    plans.reserveCapacity(inputs.count)
    let start = clock.now
    for input in inputs { plans.append(planActiveActive(input)) }
    rounds.append(clock.now - start)
    if round == 0 { for plan in plans { digest.add(plan) } }
}
rounds.sort()
print("resync pass (every steady input read first, then planned back to back), 5 rounds: best \(Timings.ms(rounds[0])), median \(Timings.ms(rounds[2])); \(Timings.ms(rounds[0] / max(1, inputs.count))) per service at best")
print("digest of every division and plan: \(digest.hex) (equal across builds that decide the same)")
print("reference: Karmada's scheduler p99 is 32 ms per binding; goal for Concord's core: 10,000 services × 1,000 datacenters ≤ 100 ms in all")
