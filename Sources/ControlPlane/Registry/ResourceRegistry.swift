import KubernetesAPI
import Synchronization

/// The resources the server serves right now: the built-in kinds plus every installed CRD.
///
/// Installing or removing a CRD changes discovery and OpenAPI at once: both read from here.
final class ResourceRegistry: Sendable {
    private struct State {
        var custom: [String: [ResourceDefinition]] = [:]  // CRD name → its served versions
        /// CRD name → the store revision of the newest change applied (an install, or a removal's tombstone).
        var revisions: [String: Int64] = [:]
        var generation: Int = 0
    }

    private let state = Mutex(State())
    let builtins: [ResourceDefinition]

    init(builtins: [ResourceDefinition] = BuiltinResources.all) {
        self.builtins = builtins
    }

    /// Every served resource: built-ins first, then CRDs by name.
    var all: [ResourceDefinition] {
        let custom = state.withLock { s in s.custom.keys.sorted().flatMap { s.custom[$0]! } }
        return builtins + custom
    }

    /// Bumped whenever the set of custom resources changes (for OpenAPI hashes).
    var generation: Int { state.withLock { $0.generation } }

    /// The resource served at `group/version/plural`.
    func lookup(group: String, version: String, plural: String) -> ResourceDefinition? {
        if let b = builtins.first(where: { $0.group == group && $0.version == version && $0.plural == plural }) { return b }
        return state.withLock { s in
            s.custom["\(plural).\(group)"]?.first { $0.version == version }
        }
    }

    /// A served resource of `kind` in `group` (any version: objects are stored once per resource).
    func definition(group: String, kind: String) -> ResourceDefinition? {
        all.first { $0.group == group && $0.kind == kind }
    }

    /// A served resource stored under `storageResource` (`configmaps`, `widgets.example.com`).
    func definition(storageResource: String) -> ResourceDefinition? {
        all.first { $0.storageResource == storageResource }
    }

    /// True when some version of `group` is served.
    func servesGroupVersion(group: String, version: String) -> Bool {
        all.contains { $0.group == group && $0.version == version }
    }

    /// Installs or replaces the resources of one CRD object stored at `revision`. A change older than the
    /// newest one applied for that CRD is ignored: servers and followers that read the store at different
    /// moments cannot undo a newer state (a re-created CRD stays served when the old one's deletion arrives late).
    func install(crd: JSONValue, revision: Int64) {
        guard let name = crd.value(at: ["metadata", "name"])?.stringValue else { return }
        let defs = CustomResourceDefinitions.definitions(from: crd)
        state.withLock { s in
            if let newest = s.revisions[name], newest > revision { return }
            s.custom[name] = defs
            s.revisions[name] = revision
            s.generation += 1
        }
    }

    /// The names of the CRDs whose resources are served.
    var customResourceDefinitionNames: [String] { state.withLock { Array($0.custom.keys) } }

    /// Removes the resources of the CRD named `name`, deleted at `revision` (or known absent at it): ignored
    /// when the CRD was installed at a later revision (created again since).
    func remove(crdNamed name: String, revision: Int64) {
        state.withLock { s in
            if let newest = s.revisions[name], newest > revision { return }
            s.revisions[name] = revision
            guard s.custom.removeValue(forKey: name) != nil else { return }
            s.generation += 1
        }
    }
}
