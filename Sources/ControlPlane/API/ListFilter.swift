import KubernetesAPI

/// A list or watch's `labelSelector` and `fieldSelector`, parsed by the Selection module.
struct ListFilter: Sendable {
    private var labels: LabelSelectorExpression
    private var fields: FieldSelectorExpression

    /// True when no selector was given.
    var isEmpty: Bool { labels.isEmpty && fields.isEmpty }

    /// Parses both selectors; a bad one, or a field the resource can't select on, is a 400.
    init(labelSelector: String?, fieldSelector: String?, resource: String) throws {
        do {
            labels = try LabelSelectorExpression(parsing: labelSelector ?? "")
            fields = try FieldSelectorExpression(
                parsing: fieldSelector ?? "", supportedFields: SelectableFields.forResource(resource).fields)
        } catch let e as SelectorError {
            throw APIError.badRequest(e.message)
        }
    }

    func matches(_ object: JSONValue) -> Bool {
        labels.matches(object: object) && fields.matches(object)
    }
}
