import FederationAPI
import Foundation

extension ReplicationSchedule {
    /// A person writes: at the source (HubAndSpoke; sometimes a replica in a target instead) or at a
    /// running member residency allows (Mesh). A write changes or creates an object; a deletion is
    /// made where the object's version in force was written (the source; in Mesh, the member its
    /// `hlc` stamp names). An object labelled for residency is written only in a region it may live in.
    mutating func personWrites(_ step: Int) {
        let key = random.pick(keys)
        var writers: [Int]
        if topology == .hubAndSpoke {
            // An object labelled for residency is written only where it may live (a source elsewhere never holds it).
            writers = world.members[source].alive && (!Self.isResident(key) || regions[source].hasPrefix(Self.residency)) ? [source] : []
            if random.chance(0.15) { writers = names.indices.filter { $0 != source && world.members[$0].alive && stores[$0].objects[key] != nil } }
        } else {
            writers = names.indices.filter { world.members[$0].alive && allowed($0, key) }
        }
        guard !writers.isEmpty else { return }
        let i = random.pick(writers)
        let current = stores[i].objects[key]
        if let current, random.chance(0.2), i == source || ReplicaStamp.clock(of: current)?.datacenter == names[i] {
            remove(key, at: i)
            counts.deletes += 1
            trace.log(step, "person deletes \(key.name) (\(Self.writeID(current) ?? "-")) at \(names[i])")
            return
        }
        writeCount += 1
        let id = "w\(writeCount)"
        // HubAndSpoke: an object created again at the source follows the deleted one. Mesh keeps no
        // tombstones: an object created again is a new write, ordered by its reading alone.
        if let parent = Self.writeID(current) ?? (topology == .hubAndSpoke ? stores[i].removed[key] : nil) { parents[id] = parent }
        var object = current ?? Self.fresh(key)
        object["data"] = .object(["w": .string(id)])
        store(object, key, at: i, step)
        counts.writes += 1
        trace.log(step, "person writes \(key.name)=\(id) at \(names[i])\(parents[id].map { " on \($0)" } ?? "")")
    }

    /// A new object as a person creates it.
    static func fresh(_ key: ReplicaKey) -> JSONValue {
        var metadata: [String: JSONValue] = ["name": .string(key.name), "namespace": "shop"]
        if isResident(key) { metadata["labels"] = .object([FederationLabel.residency: .string(residency)]) }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(metadata)]
    }

    mutating func store(_ object: JSONValue, _ key: ReplicaKey, at i: Int, _ step: Int) {
        var object = object
        revision += 1
        object["metadata"]?["resourceVersion"] = .string(String(revision))
        stores[i].objects[key] = object
        stores[i].writtenAt[key] = memberNow(i, step)
    }

    mutating func remove(_ key: ReplicaKey, at i: Int) {
        if let id = Self.writeID(stores[i].objects.removeValue(forKey: key)) { stores[i].removed[key] = id }
        stores[i].writtenAt[key] = nil
    }

    /// One hub pass: read the members the network lets it reach, plan with the real planner, run
    /// each member's effects in order through the network, stopping at its first failed write.
    mutating func pass(_ step: Int) -> ReplicationViolation? {
        var views: [ReplicationTargetView] = [], writtenAt: [String: [ReplicaKey: Date]] = [:]
        var sourceRead = false
        for i in names.indices {
            guard world.send(to: i, step: step, random: &random).succeeded else { continue }
            if topology == .hubAndSpoke, i == source {
                sourceRead = true
                continue
            }
            views.append(ReplicationTargetView(datacenter: names[i], region: regions[i], objects: stores[i].objects))
            writtenAt[names[i]] = stores[i].writtenAt
        }
        let plan: ReplicationPlan
        if topology == .mesh {
            plan = rules.mesh(rule, 1, views, hubNow(step), writtenAt, meshClock)
            meshClock = plan.clock
        } else {
            guard sourceRead else { return nil }
            plan = rules.hub(rule, names[source], regions[source], 1, stores[source].objects, views, hubNow(step))
        }
        for target in plan.targets {
            counts.conflicts += target.conflicts.count
            counts.residencyBlocks += target.blocked.count
            for conflict in target.conflicts { trace.log(step, "conflict: \(conflict.message)") }
            guard let i = names.firstIndex(of: target.datacenter) else { continue }
            for effect in target.writes {
                counts.replicaWrites += 1
                let delivery = world.send(to: i, step: step, random: &random)
                switch delivery {
                case .delivered, .responseLost, .late:
                    if let violation = apply(effect, at: i, plan: target, step) { return violation }
                case .unreachable, .requestLost:
                    break
                }
                guard delivery.succeeded else {
                    counts.failedWrites += 1
                    trace.log(step, "replica write to \(names[i]) failed (\(delivery)); the next pass plans again")
                    break
                }
            }
        }
        return nil
    }

    /// True when `object` holds a change made in its member since Concord last stamped it (or was never stamped).
    static func changedLocally(_ object: JSONValue, rule: ReplicationRule) -> Bool {
        let stamp = ReplicaStamp(of: object)
        return stamp.rule != rule.ruleAnnotationValue || stamp.contentHash != ReplicaContent.hash(of: object)
    }

    /// Applies one effect to member `i`, checking the write invariants first.
    mutating func apply(_ effect: ReplicationEffect, at i: Int, plan: TargetPlan, _ step: Int) -> ReplicationViolation? {
        switch effect {
        case .create(let write), .update(let write):
            counts.checks += 1
            if !allowed(i, write.key) {
                return ReplicationViolation(
                    invariant: .noWriteOutsideResidency, step: step, detail: "\(write.key.name) written into \(names[i]) (\(regions[i])), outside its residency")
            }
            let incoming = Self.writeID(write.object)
            if let current = stores[i].objects[write.key], let held = Self.writeID(current), let incoming, held != incoming {
                counts.checks += 1
                // Mesh orders writes already copied by HLC alone; a change not yet copied must never vanish unreported.
                let checked = topology == .hubAndSpoke || Self.changedLocally(current, rule: rule)
                if checked, !isAncestor(held, of: incoming), !plan.conflicts.contains(where: { $0.key == write.key }) {
                    return ReplicationViolation(
                        invariant: .noSilentOverwrite, step: step,
                        detail: "\(write.key.name) in \(names[i]) held \(held), which \(incoming) never saw, and was replaced without a conflict")
                }
                if rule.spec.effectiveConflictResolution == .lastWriterWins {
                    counts.checks += 1
                    if isAncestor(incoming, of: held) {
                        return ReplicationViolation(
                            invariant: .laterWriteWins, step: step,
                            detail: "\(write.key.name) in \(names[i]) held \(held), made on top of \(incoming), and was replaced by \(incoming)")
                    }
                }
            }
            store(write.object, write.key, at: i, step)
            trace.log(step, "\(names[i]) := \(write.key.name) \(incoming ?? "-") @\(ReplicaStamp.clock(of: write.object)?.description ?? "-")")
        case .adopt(let adoption):
            guard var object = stores[i].objects[adoption.key] else { return nil }
            for (name, value) in adoption.annotations { object["metadata"]?["annotations"]?[name] = .string(value) }
            if object["metadata"]?["annotations"] == nil {
                object["metadata"]?["annotations"] = .object(adoption.annotations.mapValues { .string($0) })
            }
            object["metadata"]?["annotations"]?[FederationAnnotation.resolution] = nil
            store(object, adoption.key, at: i, step)
            trace.log(step, "\(names[i]) stamps \(adoption.key.name) \(Self.writeID(object) ?? "-") @\(adoption.annotations[FederationAnnotation.hybridLogicalClock] ?? "-")")
        case .delete(let key), .deleteOutsideResidency(let key):
            remove(key, at: i)
            trace.log(step, "\(names[i]) deletes \(key.name)")
        case .blocked, .conflict, .release:
            break
        }
        return nil
    }
}
