import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// Ownership bookkeeping without a server: apply, conflicts, force, removal and updates.
struct FieldManagerTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    static let definition = FieldSetTests.definition(schema: FieldSetTests.conditionsSchema)

    static func manager(at date: Date = t0, subresource: String? = nil) -> FieldManager {
        FieldManager(definition: definition, subresource: subresource, now: date)
    }

    static func widget(_ spec: JSONValue) -> JSONValue {
        ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w", "namespace": "default"], "spec": spec]
    }

    static func entries(_ object: JSONValue) -> [JSONValue] { object.value(at: ["metadata", "managedFields"])?.arrayValue ?? [] }

    static func entry(_ object: JSONValue, _ manager: String) -> JSONValue? {
        entries(object).first { $0["manager"]?.stringValue == manager }
    }

    @Test func applyOnCreateRecordsAnApplyEntryWithTheConfigFields() throws {
        let object = try Self.manager().apply(live: nil, config: Self.widget(["size": 3]), manager: "kubectl", force: false)
        #expect(object.value(at: ["spec", "size"]) == 3)
        let entry = try #require(Self.entry(object, "kubectl"))
        #expect(entry["operation"] == "Apply")
        #expect(entry["apiVersion"] == "example.com/v1")
        #expect(entry["fieldsType"] == "FieldsV1")
        #expect(entry["time"] == .string(KubeTime(Self.t0).description))
        #expect(entry["fieldsV1"] == ["f:spec": ["f:size": [:]]])
        #expect(entry["subresource"] == nil)
    }

    @Test func applyConflictsOnlyWhenAnotherManagersValueWouldChange() throws {
        let fm = Self.manager()
        let created = fm.update(live: nil, new: Self.widget(["size": 3, "color": "red"]), manager: "kubectl-client-side-apply")
        // Same values: shared ownership, no conflict.
        let shared = try fm.apply(live: created, config: Self.widget(["size": 3]), manager: "kubectl", force: false)
        #expect(Self.entries(shared).count == 2)
        // A different value for a field the other manager owns: conflict naming field and manager.
        do {
            _ = try fm.apply(live: shared, config: Self.widget(["size": 4, "color": "blue"]), manager: "kubectl", force: false)
            Issue.record("expected conflicts")
        } catch let conflicts as ApplyConflicts {
            #expect(conflicts.message == #"Apply failed with 2 conflicts: conflict with "kubectl-client-side-apply": .spec.color; conflict with "kubectl-client-side-apply": .spec.size"#)
            let status = conflicts.apiError.status
            #expect(status.code == 409 && status.reason == "Conflict")
            #expect(status.details?.causes?.map(\.field) == [".spec.color", ".spec.size"])
            #expect(status.details?.causes?.first?.reason == "FieldManagerConflict")
        }
    }

    @Test func forceMovesConflictingFieldsToTheApplier() throws {
        let fm = Self.manager()
        let created = fm.update(live: nil, new: Self.widget(["size": 3, "color": "red"]), manager: "kubectl-patch")
        let forced = try fm.apply(live: created, config: Self.widget(["size": 5]), manager: "kubectl", force: true)
        #expect(forced.value(at: ["spec", "size"]) == 5)
        #expect(Self.entry(forced, "kubectl")?["fieldsV1"] == ["f:spec": ["f:size": [:]]])
        #expect(Self.entry(forced, "kubectl-patch")?["fieldsV1"] == ["f:spec": ["f:color": [:]]])
    }

    @Test func fieldsNoLongerAppliedAreRemovedUnlessSomeoneElseOwnsThem() throws {
        let fm = Self.manager()
        let first = try fm.apply(live: nil, config: Self.widget(["size": 3, "color": "red", "tags": ["a", "b"]]), manager: "a", force: false)
        let coOwned = try fm.apply(live: first, config: Self.widget(["color": "red"]), manager: "b", force: false)
        let second = try fm.apply(live: coOwned, config: Self.widget(["size": 3, "tags": ["a"]]), manager: "a", force: false)
        #expect(second.value(at: ["spec", "color"]) == "red", "b still owns color")
        #expect(second.value(at: ["spec", "tags"]) == ["a"], "the dropped set value is removed")
        let third = try fm.apply(live: second, config: Self.widget(["size": 3]), manager: "a", force: false)
        #expect(third.value(at: ["spec", "tags"]) == nil)
        #expect(third["spec"] == ["size": 3, "color": "red"])
    }

    @Test func updatesTakeOwnershipOfWhatTheyChangeAndRemovedFieldsLeaveEveryEntry() throws {
        let fm = Self.manager()
        let applied = try fm.apply(live: nil, config: Self.widget(["size": 3, "color": "red"]), manager: "kubectl", force: false)
        var edited = applied
        edited.setValue(7, at: ["spec", "size"])
        edited.setValue(nil, at: ["spec", "color"])
        let later = Self.manager(at: Self.t0.addingTimeInterval(60))
        let updated = later.update(live: applied, new: edited, manager: "kubectl-edit")
        let editor = try #require(Self.entry(updated, "kubectl-edit"))
        #expect(editor["operation"] == "Update")
        #expect(editor["fieldsV1"] == ["f:spec": ["f:size": [:]]])
        #expect(editor["time"] == .string(KubeTime(Self.t0.addingTimeInterval(60)).description))
        #expect(Self.entry(updated, "kubectl") == nil, "kubectl lost size to the editor and color was removed")
        #expect(Self.entries(updated).count == 1)
    }

    @Test func anUpdateThatChangesAValueItAlreadyOwnsTakesItsTime() throws {
        let created = Self.manager().update(live: nil, new: Self.widget(["size": 3]), manager: "kubectl-patch")
        let later = Self.t0.addingTimeInterval(25)
        let patched = Self.manager(at: later).update(live: created, new: Self.widget(["size": 4]), manager: "kubectl-patch")
        #expect(Self.entry(patched, "kubectl-patch")?["time"] == .string(KubeTime(later).description))
        #expect(Self.entry(patched, "kubectl-patch")?["fieldsV1"] == Self.entry(created, "kubectl-patch")?["fieldsV1"])
    }

    @Test func unchangedUpdateKeepsEntriesAndTheirTimes() throws {
        let fm = Self.manager()
        let created = fm.update(live: nil, new: Self.widget(["size": 3]), manager: "m")
        let again = Self.manager(at: Self.t0.addingTimeInterval(300)).update(live: created, new: created, manager: "m")
        #expect(Self.entries(again) == Self.entries(created))
        let other = Self.manager(at: Self.t0.addingTimeInterval(300)).update(live: created, new: created, manager: "n")
        #expect(Self.entries(other).count == 1, "a write that changes nothing adds no entry")
    }

    @Test func managedFieldsSentInARequestReplaceTheStoredOnes() throws {
        let fm = Self.manager()
        let created = try fm.apply(live: nil, config: Self.widget(["size": 3]), manager: "kubectl", force: false)
        var replaced = created
        replaced.setValue([["manager": "other", "operation": "Apply", "apiVersion": "example.com/v1", "fieldsType": "FieldsV1", "fieldsV1": ["f:spec": ["f:size": [:]]]]], at: ["metadata", "managedFields"])
        let updated = fm.update(live: created, new: replaced, manager: "kubectl")
        #expect(Self.entries(updated).map { $0["manager"] } == ["other"])
        var reset = created
        reset.setValue([], at: ["metadata", "managedFields"])
        #expect(Self.entries(fm.update(live: created, new: reset, manager: "kubectl")).isEmpty)
    }

    @Test func listMapElementsAreOwnedByKey() throws {
        let fm = Self.manager(subresource: "status")
        let base = Self.widget(["size": 1])
        var withStatus = base
        withStatus["status"] = ["conditions": [["type": "Ready", "status": "True"], ["type": "Synced", "status": "True"]]]
        let byController = fm.update(live: base, new: withStatus, manager: "controller")
        let entry = try #require(Self.entry(byController, "controller"))
        #expect(entry["subresource"] == "status")
        #expect(entry.value(at: ["fieldsV1", "f:status", "f:conditions", #"k:{"type":"Ready"}"#, "f:status"]) == [:])
        var applied = base
        applied["status"] = ["conditions": [["type": "Ready", "status": "False"]]]
        #expect(throws: ApplyConflicts.self) { try fm.apply(live: byController, config: applied, manager: "prober", force: false) }
        let forced = try fm.apply(live: byController, config: applied, manager: "prober", force: true)
        #expect(forced.value(at: ["status", "conditions"]) == [["type": "Ready", "status": "False"], ["type": "Synced", "status": "True"]])
    }

    @Test func entriesAreOrderedApplyFirstThenByTime() throws {
        let early = Self.manager()
        let late = Self.manager(at: Self.t0.addingTimeInterval(10))
        let a = late.update(live: nil, new: Self.widget(["size": 1]), manager: "z-update")
        let b = try early.apply(live: a, config: Self.widget(["color": "x"]), manager: "y-apply", force: false)
        let c = try late.apply(live: b, config: Self.widget(["tags": ["t"]]), manager: "a-apply", force: false)
        #expect(Self.entries(c).map { $0["manager"]?.stringValue ?? "" } == ["y-apply", "a-apply", "z-update"])
    }

    @Test func droppingAListMapElementRemovesItWithItsMembersAndBuiltinStructsAreNotMembers() throws {
        let definition = FieldSetTests.definition(schema: BuiltinSchemas.deployment, custom: false, kind: "Deployment")
        let fm = FieldManager(definition: definition, subresource: nil, now: Self.t0)
        func deployment(_ containers: [String]) -> JSONValue {
            [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
                "spec": ["replicas": 2, "template": ["spec": ["containers": .array(containers.map { ["name": .string($0), "image": "x"] })]]],
            ]
        }
        let created = try fm.apply(live: nil, config: deployment(["app", "sidecar"]), manager: "kubectl", force: false)
        #expect(Self.entry(created, "kubectl")?.value(at: ["fieldsV1", "f:spec", "f:template", "."]) == nil)
        var scaled = created
        scaled.setValue(3, at: ["spec", "replicas"])
        let patched = fm.update(live: created, new: scaled, manager: "kubectl-patch")
        let narrowed = try fm.apply(live: patched, config: deployment(["app"]), manager: "kubectl", force: true)
        #expect(narrowed.value(at: ["spec", "template", "spec", "containers"]) == [["name": "app", "image": "x"]])
        #expect(narrowed.value(at: ["spec", "replicas"]) == 2)
        #expect(Self.entries(narrowed).count == 1)
    }

    @Test func theOldestOfMoreThanTenUpdateManagersAreFoldedIntoAncientChanges() throws {
        var object = Self.widget(["size": 0])
        for i in 0..<12 {
            var next = object
            next.setValue(.string("v\(i)"), at: ["metadata", "labels", "l\(i)"])
            object = Self.manager(at: Self.t0.addingTimeInterval(Double(i))).update(live: object, new: next, manager: "writer-\(i)")
        }
        let managers = Self.entries(object).compactMap { $0["manager"]?.stringValue }
        #expect(managers.count == 10)
        #expect(managers.first == "ancient-changes")
        #expect(!managers.contains("writer-0") && !managers.contains("writer-2") && managers.contains("writer-3"))
        let ancient = try #require(Self.entry(object, "ancient-changes"))
        #expect(ancient.value(at: ["fieldsV1", "f:metadata", "f:labels"]) == [".": [:], "f:l0": [:], "f:l1": [:], "f:l2": [:]])
    }

    @Test(arguments: [
        (["a", "b", "c"], ["c", "a"], ["b", "c", "a"]),
        (["a", "b"], ["b", "x", "a"], ["b", "x", "a"]),
        (["a", "live", "b"], ["a", "new", "b"], ["a", "live", "new", "b"]),
        ([], ["a", "b"], ["a", "b"]),
        (["a", "b"], ["b"], ["a", "b"]),
    ])
    func listMapElementsFollowTheAppliedOrderAndLiveOnlyElementsKeepTheirPlace(live: [String], applied: [String], expected: [String]) throws {
        func conditions(_ types: [String]) -> JSONValue {
            var o = Self.widget(["size": 1])
            o["status"] = ["conditions": .array(types.map { ["type": .string($0), "status": "True"] })]
            return o
        }
        let fm = Self.manager(subresource: "status")
        let base = fm.update(live: Self.widget(["size": 1]), new: conditions(live), manager: "controller")
        let merged = try fm.apply(live: base, config: conditions(applied), manager: "other", force: false)
        let types = merged.value(at: ["status", "conditions"])?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []
        #expect(types == expected)
    }

    @Test func applyingToAnObjectWithoutManagedFieldsConflictsWithBeforeFirstApply() throws {
        let fm = Self.manager()
        let unmanaged = Self.widget(["size": 3, "color": "red"])
        let shared = try fm.apply(live: unmanaged, config: Self.widget(["size": 3]), manager: "kubectl", force: false)
        #expect(Self.entry(shared, "before-first-apply")?["operation"] == "Update")
        #expect(Self.entry(shared, "before-first-apply")?["fieldsV1"] == ["f:spec": ["f:size": [:], "f:color": [:]]])
        do {
            _ = try fm.apply(live: unmanaged, config: Self.widget(["size": 4]), manager: "kubectl", force: false)
            Issue.record("expected a conflict")
        } catch let conflicts as ApplyConflicts {
            #expect(conflicts.message == #"Apply failed with 1 conflict: conflict with "before-first-apply": .spec.size"#)
        }
    }
}
