import ControlPlane
import KubernetesAPI
import Testing

@Suite("Field selector strings")
struct FieldSelectorExpressionTests {
    static let parsed: [(String, [FieldRequirement])] = [
        ("", []),
        ("metadata.name=w1", [FieldRequirement(field: "metadata.name", operator: .equals, value: "w1")]),
        ("metadata.name==w1", [FieldRequirement(field: "metadata.name", operator: .equals, value: "w1")]),
        ("metadata.namespace!=kube-system", [FieldRequirement(field: "metadata.namespace", operator: .notEquals, value: "kube-system")]),
        ("metadata.name=", [FieldRequirement(field: "metadata.name", operator: .equals, value: "")]),
        ("involvedObject.name=web,involvedObject.uid=1234-5", [
            FieldRequirement(field: "involvedObject.name", operator: .equals, value: "web"),
            FieldRequirement(field: "involvedObject.uid", operator: .equals, value: "1234-5"),
        ]),
        ("metadata.name=a\\,b\\=c\\!d\\\\", [FieldRequirement(field: "metadata.name", operator: .equals, value: "a,b=c!d\\")]),
        ("metadata.name=x=y", [FieldRequirement(field: "metadata.name", operator: .equals, value: "x=y")]),
    ]

    @Test(arguments: parsed)
    func parses(text: String, requirements: [FieldRequirement]) throws {
        let expression = try FieldSelectorExpression(parsing: text)
        #expect(expression.requirements == requirements)
        #expect(try FieldSelectorExpression(parsing: expression.description) == expression, "printing round-trips")
    }

    static let event: JSONValue = [
        "metadata": ["name": "web.17a", "namespace": "default"],
        "involvedObject": ["kind": "Deployment", "name": "web", "uid": "u-1"],
        "type": "Normal", "count": 3,
    ]

    static let matchCases: [(String, Bool)] = [
        ("", true),
        ("metadata.name=web.17a", true),
        ("metadata.name=other", false),
        ("metadata.namespace=default", true),
        ("metadata.namespace!=default", false),
        ("involvedObject.name=web,involvedObject.uid=u-1", true),
        ("involvedObject.name=web,involvedObject.uid=u-2", false),
        ("involvedObject.fieldPath=", true),
        ("involvedObject.fieldPath!=", false),
        ("count=3", true),
    ]

    @Test(arguments: matchCases)
    func matchesObjects(text: String, matches: Bool) throws {
        #expect(try FieldSelectorExpression(parsing: text).matches(Self.event) == matches)
    }

    @Test func aClusterScopedObjectHasAnEmptyNamespace() throws {
        let namespace: JSONValue = ["metadata": ["name": "demo"]]
        #expect(try FieldSelectorExpression(parsing: "metadata.namespace=").matches(namespace))
        #expect(try FieldSelectorExpression(parsing: "metadata.name=demo").matches(namespace))
    }

    static let malformed: [(String, String)] = [
        ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
        ("=x", "invalid selector: '=x'; can't understand '=x'"),
        ("metadata.name=a,", "invalid selector: ''; can't understand ''"),
        ("metadata.name=a\\b", "invalid field selector: 'metadata.name=a\\b'; invalid escape sequence \\b"),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedTerms(text: String, message: String) {
        #expect(throws: SelectorError(message)) { try FieldSelectorExpression(parsing: text) }
    }

    static let support: [(resource: String, selector: String, error: String?)] = [
        ("configmaps", "metadata.name=a,metadata.namespace=b", nil),
        ("configmaps", "spec.foo=x", "field label not supported: spec.foo"),
        ("widgets.example.com", "metadata.name=a", nil),
        ("widgets.example.com", "status.phase=x", "field label not supported: status.phase"),
        ("events", "involvedObject.name=web,involvedObject.uid=u", nil),
        ("secrets", "type=kubernetes.io/tls", nil),
        ("secrets", "involvedObject.name=web", "field label not supported: involvedObject.name"),
        ("namespaces", "status.phase=Active", nil),
        ("events.events.k8s.io", "regarding.name=web", nil),
    ]

    @Test(arguments: support)
    func checksFieldsAgainstTheResourcesSupportedList(resource: String, selector: String, error: String?) throws {
        let supported = SelectableFields.forResource(resource).fields
        if let error {
            #expect(throws: SelectorError(error)) { try FieldSelectorExpression(parsing: selector, supportedFields: supported) }
        } else {
            #expect(throws: Never.self) { try FieldSelectorExpression(parsing: selector, supportedFields: supported) }
        }
    }

    @Test func customResourcesAddTheirSelectableFields() throws {
        let fields = SelectableFields.forResource("widgets.example.com").adding(["spec.color"]).fields
        let expression = try FieldSelectorExpression(parsing: "spec.color=blue", supportedFields: fields)
        #expect(expression.matches(["spec": ["color": "blue"]]))
        #expect(!expression.matches(["spec": ["color": "red"]]))
    }
}
