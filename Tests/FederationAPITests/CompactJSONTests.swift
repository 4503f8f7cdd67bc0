import FederationAPI
import Foundation
import Testing

@Suite("CompactJSON codec")
struct CompactJSONTests {
    static let documents: [String] = [
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"app.kubernetes.io/name":"x"}},"data":{"k":"v"}}"#,
        #"[1,-2,3.5,-0.25,1e20,1.5e-7,9223372036854775807,-9223372036854775808,0]"#,
        #"{"escapes":"quote \" backslash \\ slash / newline \n tab \t cr \r bs \b ff \f nul \u0000 unit \u001f"}"#,
        #"{"unicode":"héllo wörld ✓ 日本 \ud83d\ude00 😀"}"#,
        #"{"empty":{},"list":[],"nested":[[[]]],"t":true,"f":false,"n":null,"s":""}"#,
        "  {\n \"spaced\" : [ 1 , 2 ] \t}\r\n",
        #""a string document""#,
        "42",
        #"{"b":1,"a":2,"B":3,"aa":4,"_":5}"#,
    ]

    @Test(arguments: documents)
    func decodesLikeJSONSerializationAndRoundTrips(_ text: String) throws {
        let data = Data(text.utf8)
        // Foundation's parser is the independent reference.
        let reference = try JSONValue(foundation: JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
        let decoded = try CompactJSON.decode(data)
        #expect(decoded.isSameJSON(as: reference))
        #expect(try CompactJSON.decode(CompactJSON.encode(decoded)) == decoded)
        #expect(try JSONValue(parsing: data) == decoded)
    }

    @Test(arguments: [
        (#"{"b":1,"a":[true,null,"x/y"],"c":{"z":-2.5,"y":""}}"#, #"{"a":[true,null,"x/y"],"b":1,"c":{"y":"","z":-2.5}}"#),
        (#"{"s":"tab\tquote\"nl\n\u0001é"}"#, #"{"s":"tab\tquote\"nl\n\u0001é"}"#),
        ("[1.0, 100, 1e2]", "[1,100,100]"),
    ])
    func encodesCompactlyWithSortedKeys(_ input: String, _ expected: String) throws {
        #expect(String(decoding: try JSONValue(parsing: Data(input.utf8)).jsonData(), as: UTF8.self) == expected)
    }

    @Test func keepsIntegersAndDoublesApart() throws {
        #expect(try CompactJSON.decode(Data("[1,1.0,1e2,-0]".utf8)) == [.int(1), .double(1.0), .double(100), .int(0)])
        #expect(try CompactJSON.decode(Data("99999999999999999999".utf8)) == .double(1e20))
    }

    static let malformed: [(String, String)] = [
        ("", "invalid JSON at byte 0: unexpected end of input"),
        ("{", "invalid JSON at byte 1: expected a member name"),
        (#"{"a" 1}"#, "invalid JSON at byte 5: expected ':' after a member name"),
        (#"{"a":1,}"#, "invalid JSON at byte 7: expected a member name"),
        ("[1 2]", "invalid JSON at byte 3: expected ',' or ']' in an array"),
        (#""abc"#, "invalid JSON at byte 4: an unterminated string"),
        (#""\x""#, #"invalid JSON at byte 3: an invalid escape '\x'"#),
        (#""\ud800""#, #"invalid JSON at byte 7: an unpaired surrogate in a \u escape"#),
        ("tru", "invalid JSON at byte 0: an invalid literal"),
        ("01", "invalid JSON at byte 1: unexpected content after the JSON value"),
        ("-", "invalid JSON at byte 1: a number without digits"),
        ("1.", "invalid JSON at byte 2: a number without digits after '.'"),
        ("1e400", "invalid JSON at byte 5: a number out of range"),
        ("{} x", "invalid JSON at byte 3: unexpected content after the JSON value"),
        ("\"a\u{01}\"", "invalid JSON at byte 2: a control character in a string"),
    ]

    @Test(arguments: malformed)
    func rejectsMalformedText(text: String, message: String) {
        #expect(throws: CompactJSONError(message)) { try CompactJSON.decode(Data(text.utf8)) }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: CompactJSONError.self) { try CompactJSON.decode([0x22, 0xC3, 0x28, 0x22]) }
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 10_000)
        #expect(throws: CompactJSONError("invalid JSON at byte 512: nesting deeper than 512")) { try CompactJSON.decode(deep) }
    }
}

extension JSONValue {
    /// Equality that treats an integral double and the same integer as one number (JSONSerialization
    /// on Linux may report either).
    fileprivate func isSameJSON(as other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.isSameJSON(as: $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { value.isSameJSON(as: $0) } ?? false }
        default: return self == other
        }
    }
}
