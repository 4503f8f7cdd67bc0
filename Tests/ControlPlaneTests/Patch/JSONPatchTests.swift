import ControlPlane
import KubernetesAPI
import Testing

@Suite("JSON patch (RFC 6902)")
struct JSONPatchTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var document: JSONValue
        var patch: JSONValue
        var expected: JSONValue
        var testDescription: String { name }
    }

    static let applied: [Case] = [
        Case(name: "add a member", document: ["foo": "bar"], patch: [["op": "add", "path": "/baz", "value": "qux"]],
             expected: ["foo": "bar", "baz": "qux"]),
        Case(name: "add inserts into an array", document: ["foo": ["bar", "baz"]],
             patch: [["op": "add", "path": "/foo/1", "value": "qux"]], expected: ["foo": ["bar", "qux", "baz"]]),
        Case(name: "add with - appends", document: ["foo": [1]], patch: [["op": "add", "path": "/foo/-", "value": 2]],
             expected: ["foo": [1, 2]]),
        Case(name: "add at the array's end index appends", document: ["foo": [1]],
             patch: [["op": "add", "path": "/foo/1", "value": 2]], expected: ["foo": [1, 2]]),
        Case(name: "add replaces an existing member", document: ["foo": "bar"],
             patch: [["op": "add", "path": "/foo", "value": ["x": 1]]], expected: ["foo": ["x": 1]]),
        Case(name: "add at the root replaces the document", document: ["foo": "bar"],
             patch: [["op": "add", "path": "", "value": ["new": true]]], expected: ["new": true]),
        Case(name: "remove a member", document: ["baz": "qux", "foo": "bar"], patch: [["op": "remove", "path": "/baz"]],
             expected: ["foo": "bar"]),
        Case(name: "remove an array element", document: ["foo": ["bar", "qux", "baz"]],
             patch: [["op": "remove", "path": "/foo/1"]], expected: ["foo": ["bar", "baz"]]),
        Case(name: "replace a value", document: ["baz": "qux", "foo": "bar"],
             patch: [["op": "replace", "path": "/baz", "value": "boo"]], expected: ["baz": "boo", "foo": "bar"]),
        Case(name: "replace an array element", document: ["a": [1, 2, 3]],
             patch: [["op": "replace", "path": "/a/1", "value": 9]], expected: ["a": [1, 9, 3]]),
        Case(name: "move a member", document: ["foo": ["bar": "baz", "waldo": "fred"], "qux": ["corge": "grault"]],
             patch: [["op": "move", "from": "/foo/waldo", "path": "/qux/thud"]],
             expected: ["foo": ["bar": "baz"], "qux": ["corge": "grault", "thud": "fred"]]),
        Case(name: "move an array element", document: ["foo": ["all", "grass", "cows", "eat"]],
             patch: [["op": "move", "from": "/foo/1", "path": "/foo/3"]], expected: ["foo": ["all", "cows", "eat", "grass"]]),
        Case(name: "copy a value", document: ["a": ["b": 1]], patch: [["op": "copy", "from": "/a", "path": "/c"]],
             expected: ["a": ["b": 1], "c": ["b": 1]]),
        Case(name: "test then replace", document: ["a": 1],
             patch: [["op": "test", "path": "/a", "value": 1.0], ["op": "replace", "path": "/a", "value": 2]], expected: ["a": 2]),
        Case(name: "escaped pointer tokens", document: ["a/b": 1, "m~n": 2],
             patch: [["op": "replace", "path": "/a~1b", "value": 3], ["op": "remove", "path": "/m~0n"]], expected: ["a/b": 3]),
        Case(name: "kubectl's managedFields migration", document: ["metadata": ["managedFields": [["manager": "old"]], "resourceVersion": "106"]],
             patch: [
                ["op": "replace", "path": "/metadata/managedFields", "value": [["manager": "kubectl"]]],
                ["op": "replace", "path": "/metadata/resourceVersion", "value": "107"],
             ],
             expected: ["metadata": ["managedFields": [["manager": "kubectl"]], "resourceVersion": "107"]]),
        Case(name: "an empty patch changes nothing", document: ["a": 1], patch: [], expected: ["a": 1]),
    ]

    @Test(arguments: applied)
    func applies(_ testCase: Case) throws {
        #expect(try JSONPatch.apply(testCase.patch, to: testCase.document) == testCase.expected)
    }

    struct Failure: CustomTestStringConvertible, Sendable {
        var name: String
        var patch: JSONValue
        var code: PatchError.Code
        var message: String
        var testDescription: String { name }
    }

    static let document: JSONValue = ["spec": ["list": [1, 2]], "name": "x"]

    static let failures: [Failure] = [
        Failure(name: "not an array", patch: ["op": "add"], code: .badRequest,
                message: "a JSON patch must be an array of operations, not object"),
        Failure(name: "unknown op", patch: [["op": "frob", "path": "/a"]], code: .badRequest,
                message: "JSON patch operation 0 has unknown op \"frob\"; expected one of add, remove, replace, move, copy, test"),
        Failure(name: "missing value", patch: [["op": "add", "path": "/a"]], code: .badRequest,
                message: "JSON patch operation 0 (add at /a) has no \"value\""),
        Failure(name: "missing from", patch: [["op": "copy", "path": "/a"]], code: .badRequest,
                message: "JSON patch operation 0 (copy to /a) has no string \"from\""),
        Failure(name: "pointer without a leading slash", patch: [["op": "remove", "path": "name"]], code: .badRequest,
                message: "invalid JSON pointer \"name\": it must be empty or start with \"/\""),
        Failure(name: "bad escape", patch: [["op": "remove", "path": "/a~2"]], code: .badRequest,
                message: "invalid JSON pointer \"/a~2\": \"~\" must be followed by 0 or 1"),
        Failure(name: "replace of a missing member", patch: [["op": "replace", "path": "/spec/missing", "value": 1]],
                code: .unprocessable, message: "JSON patch operation 0 (replace at /spec/missing) failed: the path does not exist"),
        Failure(name: "remove of a missing member", patch: [["op": "remove", "path": "/nope"]], code: .unprocessable,
                message: "JSON patch operation 0 (remove at /nope) failed: the path does not exist"),
        Failure(name: "add under a missing parent", patch: [["op": "add", "path": "/a/b", "value": 1]], code: .unprocessable,
                message: "JSON patch operation 0 (add at /a/b) failed: the parent path does not exist (no member \"a\")"),
        Failure(name: "array index out of range", patch: [["op": "add", "path": "/spec/list/5", "value": 1]], code: .unprocessable,
                message: "JSON patch operation 0 (add at /spec/list/5) failed: array index \"5\" is out of range for an array of 2"),
        Failure(name: "leading zero index", patch: [["op": "remove", "path": "/spec/list/01"]], code: .unprocessable,
                message: "JSON patch operation 0 (remove at /spec/list/01) failed: array index \"01\" is out of range for an array of 2"),
        Failure(name: "failed test", patch: [["op": "add", "path": "/n", "value": 1], ["op": "test", "path": "/name", "value": "y"]],
                code: .unprocessable, message: "JSON patch operation 1 (test at /name) failed: test failed: the value is \"x\", not \"y\""),
        Failure(name: "move into its own child", patch: [["op": "move", "from": "/spec", "path": "/spec/list/0"]], code: .unprocessable,
                message: "JSON patch operation 0 (move at /spec/list/0) failed: cannot move /spec into its own child"),
        Failure(name: "remove the root", patch: [["op": "remove", "path": ""]], code: .unprocessable,
                message: "JSON patch operation 0 (remove at ) failed: the whole document cannot be removed"),
    ]

    @Test(arguments: failures)
    func rejects(_ failure: Failure) {
        #expect(throws: PatchError(failure.code, failure.message)) {
            try JSONPatch.apply(failure.patch, to: Self.document)
        }
    }

    @Test func aFailingOperationLeavesNoPartialResult() throws {
        let patch: JSONValue = [["op": "add", "path": "/added", "value": 1], ["op": "remove", "path": "/missing"]]
        let original = Self.document
        #expect(throws: PatchError.self) { try JSONPatch.apply(patch, to: original) }
        #expect(original == Self.document)
    }

    @Test(arguments: [
        ("", [String]()), ("/", [""]), ("/a~1b/c~0d", ["a/b", "c~d"]), ("/0/-", ["0", "-"]), ("/~01", ["~1"]),
    ])
    func pointersParseAndPrintBack(text: String, tokens: [String]) throws {
        let pointer = try JSONPointer(parsing: text)
        #expect(pointer.tokens == tokens)
        #expect(pointer.description == text)
    }
}
