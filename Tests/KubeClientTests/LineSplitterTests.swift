import Foundation
import KubeClient
import Testing

struct LineSplitterTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var chunks: [String]
        var lines: [String]
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "one line per chunk", chunks: ["a\n", "b\n"], lines: ["a", "b"]),
        Case(name: "line split across chunks", chunks: ["{\"ty", "pe\":1}\n"], lines: ["{\"type\":1}"]),
        Case(name: "several lines in one chunk", chunks: ["a\nb\nc\n"], lines: ["a", "b", "c"]),
        Case(name: "blank and CR-only lines are skipped", chunks: ["a\n\n \r\nb\n"], lines: ["a", "b"]),
        Case(name: "final line without newline", chunks: ["a\nb"], lines: ["a", "b"]),
        Case(name: "CRLF keeps the CR for the JSON parser to ignore", chunks: ["a\r\n"], lines: ["a\r"]),
        Case(name: "line spread over three chunks, then more in the last", chunks: ["{\"a", "\":", "1}\n{\"b\":2}\n{\"c"], lines: ["{\"a\":1}", "{\"b\":2}", "{\"c"]),
        Case(name: "blank line split across chunks is skipped", chunks: ["a\n ", " \r", "\nb\n"], lines: ["a", "b"]),
        Case(name: "chunks that are only newlines", chunks: ["\n", "\n\n", "a", "\n"], lines: ["a"]),
    ])
    func splitsStreamIntoLines(_ c: Case) throws {
        var s = LineSplitter()
        var out: [String] = []
        for chunk in c.chunks { out += try s.feed(Data(chunk.utf8)).map { String(decoding: $0, as: UTF8.self) } }
        if let last = s.finish() { out.append(String(decoding: last, as: UTF8.self)) }
        #expect(out == c.lines)
    }

    @Test func oversizedLineIsAnErrorNotUnboundedGrowth() {
        var s = LineSplitter(maxLineBytes: 8)
        #expect(throws: KubeTransportError.self) { _ = try s.feed(Data("0123456789".utf8)) }
    }
}
