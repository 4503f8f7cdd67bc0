import ControlPlane
import KubernetesAPI
import Testing

@Suite("JSON merge patch (RFC 7386)")
struct JSONMergePatchTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var target: JSONValue
        var patch: JSONValue
        var expected: JSONValue
        var testDescription: String { name }
    }

    /// Includes the examples of RFC 7386 appendix A.
    static let cases: [Case] = [
        Case(name: "replaces a member", target: ["a": "b"], patch: ["a": "c"], expected: ["a": "c"]),
        Case(name: "adds a member", target: ["a": "b"], patch: ["b": "c"], expected: ["a": "b", "b": "c"]),
        Case(name: "null deletes a member", target: ["a": "b"], patch: ["a": nil], expected: [:]),
        Case(name: "null deletes only that member", target: ["a": "b", "b": "c"], patch: ["a": nil], expected: ["b": "c"]),
        Case(name: "an array replaces an array", target: ["a": ["b"]], patch: ["a": "c"], expected: ["a": "c"]),
        Case(name: "a value replaces an array", target: ["a": "c"], patch: ["a": ["b"]], expected: ["a": ["b"]]),
        Case(
            name: "nested objects merge", target: ["a": ["b": "c"]], patch: ["a": ["b": "d", "c": nil]],
            expected: ["a": ["b": "d"]]),
        Case(name: "arrays are replaced, not merged", target: ["a": [["b": "c"]]], patch: ["a": [1]], expected: ["a": [1]]),
        Case(name: "a non-object patch replaces the document", target: ["a": "foo"], patch: "bar", expected: "bar"),
        Case(name: "null members already in the target are kept", target: ["e": nil], patch: ["a": 1], expected: ["e": nil, "a": 1]),
        Case(name: "an object patch on a non-object creates an object", target: ["a": "foo"], patch: ["a": ["bb": ["ccc": nil]]], expected: ["a": ["bb": [:]]]),
        Case(name: "an object patch replaces an array document", target: ["a"], patch: ["a": "b"], expected: ["a": "b"]),
        Case(
            name: "kubectl apply of a ConfigMap", target: ["data": ["a": "1", "b": "2"], "metadata": ["name": "cm"]],
            patch: ["data": ["b": nil, "c": "3"], "metadata": ["labels": ["tier": "x"]]],
            expected: ["data": ["a": "1", "c": "3"], "metadata": ["name": "cm", "labels": ["tier": "x"]]]),
    ]

    @Test(arguments: cases)
    func applies(_ testCase: Case) {
        #expect(JSONMergePatch.apply(testCase.patch, to: testCase.target) == testCase.expected)
    }

    static let diffs: [(JSONValue, JSONValue)] = {
        let nestedOriginal: JSONValue = ["a": 1, "b": ["c": 2, "d": 3]]
        let nestedModified: JSONValue = ["a": 1, "b": ["c": 5], "e": [1]]
        let listOriginal: JSONValue = ["a": [1, 2]]
        let listModified: JSONValue = ["a": [2]]
        let same: JSONValue = ["a": "x"]
        return [(nestedOriginal, nestedModified), (listOriginal, listModified), (same, same)]
    }()

    @Test(arguments: diffs)
    func diffProducesAPatchThatReproducesTheTarget(original: JSONValue, modified: JSONValue) {
        let patch = JSONMergePatch.diff(from: original, to: modified)
        if original == modified {
            #expect(patch == nil)
        } else {
            let patch = patch ?? [:]
            #expect(JSONMergePatch.apply(patch, to: original) == modified)
        }
    }
}
