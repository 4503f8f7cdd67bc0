import Yams

/// Finds the line of a field in a YAML document from its path as kube-apiserver prints it
/// (`spec.healthCheck.periodSeconds`, `spec.failover[1].datacenter`, `metadata.labels[app]`).
/// A field that is absent (a missing required one) is placed on its nearest present parent.
enum FieldLocator {
    /// One step of a field path.
    enum Step: Equatable {
        case key(String)
        case index(Int)
    }

    /// The 1-based line of `field` in `document`, or of its nearest present parent.
    static func line(of field: String, in document: Node) -> Int? {
        var node = document
        var line = document.mark?.line
        for step in steps(field) {
            guard let (next, at) = child(of: node, step) else { break }
            node = next
            line = at ?? line
        }
        return line
    }

    /// The steps of a field path: dots separate keys, `[n]` indexes a list, `[k]` keys a map.
    static func steps(_ field: String) -> [Step] {
        var steps: [Step] = []
        var current = ""
        var inBracket = false
        for c in field {
            switch (c, inBracket) {
            case (".", false):
                if !current.isEmpty { steps.append(.key(current)) }
                current = ""
            case ("[", false):
                if !current.isEmpty { steps.append(.key(current)) }
                current = ""
                inBracket = true
            case ("]", true):
                steps.append(Int(current).map(Step.index) ?? .key(current))
                current = ""
                inBracket = false
            default:
                current.append(c)
            }
        }
        if !current.isEmpty { steps.append(.key(current)) }
        return steps
    }

    /// The child node and the line of its key (for a mapping) or of itself (for a list item).
    private static func child(of node: Node, _ step: Step) -> (Node, Int?)? {
        switch (node, step) {
        case (.mapping(let mapping), .key(let key)):
            guard let pair = mapping.first(where: { $0.key.string == key }) else { return nil }
            return (pair.value, pair.key.mark?.line)
        case (.mapping(let mapping), .index(let i)):
            guard let pair = mapping.first(where: { $0.key.string == String(i) }) else { return nil }
            return (pair.value, pair.key.mark?.line)
        case (.sequence(let sequence), .index(let i)) where i >= 0 && i < sequence.count:
            let item = sequence[i]
            return (item, item.mark?.line)
        default:
            return nil
        }
    }
}
