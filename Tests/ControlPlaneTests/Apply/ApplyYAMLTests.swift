import KubernetesAPI
import Testing

@testable import ControlPlane

struct ApplyYAMLTests {
    @Test func readsBlockAndFlowStyleManifests() throws {
        let text = """
            ---
            apiVersion: example.com/v1   # the group
            kind: Widget
            metadata:
              name: "w1"
              labels: {app: demo}
              annotations:
                note: |
                  line one
                  line two
            spec:
              size: 3
              ratio: 0.5
              enabled: true
              nothing: ~
              color: 'it''s blue'
              tags: [a, b]
              ports:
              - name: http
                port: 80
              - name: https
                port: 443
              empty: []
            """
        let expected: JSONValue = [
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": ["name": "w1", "labels": ["app": "demo"], "annotations": ["note": "line one\nline two\n"]],
            "spec": [
                "size": 3, "ratio": 0.5, "enabled": true, "nothing": .null, "color": "it's blue", "tags": ["a", "b"],
                "ports": [["name": "http", "port": 80], ["name": "https", "port": 443]], "empty": [],
            ],
        ]
        #expect(try ApplyYAML.parse(text) == expected)
    }

    @Test func nestedSequencesAndQuotedKeys() throws {
        let text = "items:\n  - - 1\n    - 2\n  - \"a:b\": x\n"
        #expect(try ApplyYAML.parse(text) == ["items": [[1, 2], ["a:b": "x"]]])
    }

    @Test func quotedScalarsStayStrings() throws {
        #expect(try ApplyYAML.parse("a: \"true\"\nb: '3'\nc: \"null\"\nd: 3\n") == ["a": "true", "b": "3", "c": "null", "d": 3])
    }

    @Test func badIndentationIsASyntaxError() {
        #expect(throws: ApplyYAML.SyntaxError.self) { try ApplyYAML.parse("a: 1\n  b: 2\n") }
        #expect(throws: ApplyYAML.SyntaxError.self) { try ApplyYAML.parse("a: [1\n") }
    }

    @Test func aliasesResolveToTheirAnchors() throws {
        #expect(try ApplyYAML.parse("a: &x 1\nb: *x\n") == ["a": 1, "b": 1])
    }
}
