import ControlPlane
import FederationAPI
import KubernetesAPI

/// Validates manifests offline against Concord's CRDs and the controllers' semantic checks.
struct ManifestValidator {
    /// The outcome of validating a set of documents.
    struct Report {
        /// Every problem, in file and line order.
        var problems: [ManifestProblem] = []
        /// Concord objects checked.
        var checked = 0
        /// Documents of other API groups, not checked.
        var skipped = 0
    }

    private let admission = ManifestAdmission(customResourceDefinitions: FederationCRDs.all)

    /// Validates `documents`; `hubDatacenters` (name → labels, with where they came from) enables the
    /// checks of Datacenter references, which then also accept the Datacenters in `documents`.
    /// `hubPolicies` are the hub's FederationPolicies, which with those in `documents` decide the
    /// topology a ReplicationRule is checked against.
    func validate(_ documents: [ManifestDocument], hubDatacenters: DatacenterDirectory? = nil, hubPolicies: [FederationPolicy] = []) -> Report {
        var report = Report()
        let directory = hubDatacenters.map { hub in
            var all = hub
            for d in documents where d.object["kind"]?.stringValue == Datacenter.kind && d.object["apiVersion"]?.stringValue == FederationGroup.apiVersion {
                if let name = d.object.value(at: ["metadata", "name"])?.stringValue {
                    all.labels[name] = d.object.value(at: ["metadata", "labels"])?.objectValue?.compactMapValues(\.stringValue) ?? [:]
                }
            }
            return all
        }
        let mesh = FederationSemantics.meshPolicy(in: documents, hub: hubPolicies)
        var seen: [String: ManifestDocument] = [:]
        for document in documents {
            guard let problems = check(document, directory: directory, mesh: mesh) else {
                report.skipped += 1
                continue
            }
            report.checked += 1
            report.problems += problems
            if let first = seen[document.identity] {
                report.problems.append(
                    ManifestProblem(
                        file: document.file, line: document.line, field: "metadata.name",
                        message: "Duplicate value: \(document.identity) is also defined at \(first.file):\(first.line)"))
            } else {
                seen[document.identity] = document
            }
        }
        return report
    }

    /// The problems of one document, or nil when it belongs to another API group (not Concord's to check).
    private func check(_ document: ManifestDocument, directory: DatacenterDirectory?, mesh: FederationPolicy?) -> [ManifestProblem]? {
        func problem(_ field: String, _ message: String) -> ManifestProblem {
            ManifestProblem(file: document.file, line: document.line(of: field), field: field, message: message)
        }
        let object = document.object
        guard object.objectValue != nil else {
            return [problem("", "a manifest must be a mapping with apiVersion and kind, not \(object.typeName)")]
        }
        guard let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty else { return [problem("apiVersion", "Required value")] }
        guard let kind = object["kind"]?.stringValue, !kind.isEmpty else { return [problem("kind", "Required value")] }
        let group = apiVersion.split(separator: "/").count == 2 ? String(apiVersion.split(separator: "/")[0]) : ""
        guard admission.serves(group: group) else { return nil }
        guard let schemaProblems = admission.problems(of: object) else {
            let kinds = FederationCRDs.definitions.map(\.kind).joined(separator: ", ")
            return [problem("kind", "Unsupported value: \(kind) in \(apiVersion): \(FederationGroup.apiVersion) serves \(kinds)")]
        }
        return schemaProblems.map { problem($0.field, $0.message) }
            + FederationSemantics.problems(of: object, directory: directory, mesh: mesh).map { problem($0.field, $0.message) }
    }
}
