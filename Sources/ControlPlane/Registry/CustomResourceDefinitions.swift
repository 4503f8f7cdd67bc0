import Foundation
import KubernetesAPI

/// Reading CustomResourceDefinition objects: served versions, defaults, status and validation.
enum CustomResourceDefinitions {
    /// The served resources a CRD object defines, one per served version.
    static func definitions(from crd: JSONValue) -> [ResourceDefinition] {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue, let names = spec["names"],
            let kind = names["kind"]?.stringValue, let plural = names["plural"]?.stringValue
        else { return [] }
        let singular = names["singular"]?.stringValue ?? kind.lowercased()
        let listKind = names["listKind"]?.stringValue ?? kind + "List"
        let shortNames = names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let categories = names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let namespaced = spec["scope"]?.stringValue != "Cluster"
        var out: [ResourceDefinition] = []
        for version in spec["versions"]?.arrayValue ?? [] {
            guard let name = version["name"]?.stringValue, version["served"]?.boolValue ?? true else { continue }
            let columns = (version["additionalPrinterColumns"]?.arrayValue ?? []).compactMap { c -> PrinterColumn? in
                guard let n = c["name"]?.stringValue, let path = c["jsonPath"]?.stringValue else { return nil }
                return PrinterColumn(
                    name: n, type: c["type"]?.stringValue ?? "string", format: c["format"]?.stringValue ?? "",
                    description: c["description"]?.stringValue ?? "", priority: Int(c["priority"]?.intValue ?? 0), jsonPath: path)
            }
            let scale = version.value(at: ["subresources", "scale"]).flatMap(ScalePaths.init)
            out.append(
                ResourceDefinition(
                    group: group, version: name, kind: kind, plural: plural, singular: singular, listKind: listKind,
                    namespaced: namespaced, shortNames: shortNames, categories: categories,
                    hasStatusSubresource: version.value(at: ["subresources", "status"]) != nil, isCustom: true,
                    schema: version.value(at: ["schema", "openAPIV3Schema"]),
                    printerColumns: columns.isEmpty ? nil : columns,
                    hasScaleSubresource: scale != nil, scalePaths: scale))
        }
        return out
    }

    /// Applies the API defaults kube-apiserver applies to a CRD's spec (singular, listKind, conversion).
    static func applyDefaults(_ crd: inout JSONValue) {
        if let kind = crd.value(at: ["spec", "names", "kind"])?.stringValue {
            if crd.value(at: ["spec", "names", "singular"]) == nil { crd.setValue(.string(kind.lowercased()), at: ["spec", "names", "singular"]) }
            if crd.value(at: ["spec", "names", "listKind"]) == nil { crd.setValue(.string(kind + "List"), at: ["spec", "names", "listKind"]) }
        }
        if crd.value(at: ["spec", "conversion"]) == nil { crd.setValue(["strategy": "None"], at: ["spec", "conversion"]) }
    }

    /// Validates the parts of a CRD the server relies on.
    static func validate(_ crd: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        let name = crd.value(at: ["metadata", "name"])?.stringValue ?? ""
        let group = crd.value(at: ["spec", "group"])?.stringValue ?? ""
        let plural = crd.value(at: ["spec", "names", "plural"])?.stringValue ?? ""
        if group.isEmpty { errors.append(.required("spec.group")) }
        if plural.isEmpty { errors.append(.required("spec.names.plural")) }
        if (crd.value(at: ["spec", "names", "kind"])?.stringValue ?? "").isEmpty { errors.append(.required("spec.names.kind")) }
        if !group.isEmpty, !plural.isEmpty, name != "\(plural).\(group)" {
            errors.append(.invalid("metadata.name", value: .string(name), "must be spec.names.plural+\".\"+spec.group"))
        }
        let scope = crd.value(at: ["spec", "scope"])?.stringValue ?? ""
        if scope != "Namespaced" && scope != "Cluster" {
            errors.append(.notSupported("spec.scope", value: .string(scope), supported: ["Cluster", "Namespaced"]))
        }
        let versions = crd.value(at: ["spec", "versions"])?.arrayValue ?? []
        if versions.isEmpty { errors.append(.required("spec.versions", "must have exactly one version marked as storage version")) }
        let storage = versions.filter { $0["storage"]?.boolValue == true }.count
        if !versions.isEmpty && storage != 1 {
            errors.append(.invalid("spec.versions", value: .array(versions.compactMap { $0["name"] }), "must have exactly one version marked as storage version"))
        }
        for (index, version) in versions.enumerated() {
            if let scale = version.value(at: ["subresources", "scale"]) {
                errors += validateScale(scale, at: "spec.versions[\(index)].subresources.scale")
            }
        }
        return errors
    }

    /// kube-apiserver's checks of `subresources.scale`: replica paths under `.spec` and `.status`, a
    /// label selector path under either, each a simple JSON path.
    static func validateScale(_ scale: JSONValue, at field: String) -> [FieldError] {
        var errors: [FieldError] = []
        for (name, prefixes, required) in [
            ("specReplicasPath", [".spec."], true), ("statusReplicasPath", [".status."], true), ("labelSelectorPath", [".spec.", ".status."], false),
        ] {
            let path = scale[name]?.stringValue ?? ""
            if path.isEmpty {
                if required { errors.append(.required("\(field).\(name)")) }
            } else if ScalePaths.fields(path) == nil {
                errors.append(.invalid("\(field).\(name)", value: .string(path), "must be a simple json path starting with ."))
            } else if !prefixes.contains(where: path.hasPrefix) {
                let under = prefixes.count == 1 ? prefixes[0].dropLast() : "either .spec or .status"
                errors.append(.invalid("\(field).\(name)", value: .string(path), "should be a json path under \(under)"))
            }
        }
        return errors
    }

    /// The status kube-apiserver's CRD controllers converge to: accepted names, stored versions, Established.
    static func status(for crd: JSONValue, previous: JSONValue?, now: Date) -> JSONValue {
        var names = crd.value(at: ["spec", "names"]) ?? [:]
        if names["singular"] == nil, let k = names["kind"]?.stringValue { names["singular"] = .string(k.lowercased()) }
        if names["listKind"] == nil, let k = names["kind"]?.stringValue { names["listKind"] = .string(k + "List") }
        var stored = previous?.value(at: ["status", "storedVersions"])?.arrayValue?.compactMap(\.stringValue) ?? []
        for v in crd.value(at: ["spec", "versions"])?.arrayValue ?? [] where v["storage"]?.boolValue == true {
            if let n = v["name"]?.stringValue, !stored.contains(n) { stored.append(n) }
        }
        let oldConditions = previous?.value(at: ["status", "conditions"])?.arrayValue ?? []
        func condition(_ type: String, _ reason: String, _ message: String) -> JSONValue {
            let since = oldConditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }?["lastTransitionTime"]
            return [
                "type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message),
                "lastTransitionTime": since ?? .string(KubeTime(now).description),
            ]
        }
        return [
            "acceptedNames": names,
            "storedVersions": .array(stored.map(JSONValue.string)),
            "conditions": [
                condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
            ],
        ]
    }
}
