import Foundation
import Testing

@testable import ControlPlane

struct TokenFileTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var expected: [String: UserInfo]
        var testDescription: String { name }
    }

    static let valid: [Case] = [
        Case(name: "three columns", text: "t1,alice,u1\n", expected: ["t1": UserInfo(name: "alice", uid: "u1")]),
        Case(
            name: "quoted groups", text: #"t1,alice,u1,"dev,ops, admins""# + "\n",
            expected: ["t1": UserInfo(name: "alice", uid: "u1", groups: ["dev", "ops", "admins"])]),
        Case(name: "one unquoted group", text: "t1,alice,u1,dev", expected: ["t1": UserInfo(name: "alice", uid: "u1", groups: ["dev"])]),
        Case(
            name: "leading spaces, CRLF, blank and comment lines",
            text: "# tokens\r\n\r\n t1, alice , u1\r\nt2,bob,,\"viewers\"\r\n",
            expected: ["t1": UserInfo(name: "alice", uid: "u1"), "t2": UserInfo(name: "bob", uid: "", groups: ["viewers"])]),
        Case(
            name: "doubled quote inside a quoted field", text: #""t""1",carol,u3"#,
            expected: [#"t"1"#: UserInfo(name: "carol", uid: "u3")]),
        Case(name: "empty file", text: "", expected: [:]),
    ]

    @Test(arguments: valid)
    func parsesValidFiles(_ c: Case) throws {
        let file = try TokenFile(parsing: c.text, source: "tokens.csv")
        #expect(file.users == c.expected)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var line: Int
        var reason: String
        var testDescription: String { name }
    }

    static let invalid: [BadCase] = [
        BadCase(name: "two columns", text: "t1,alice,u1\nsecret-two,bob\n", line: 2, reason: "needs at least 3 columns"),
        BadCase(name: "empty token", text: ",alice,u1\n", line: 1, reason: "the token is empty"),
        BadCase(name: "empty user", text: "t1,,u1\n", line: 1, reason: "the user name is empty"),
        BadCase(name: "duplicate token", text: "t1,alice,u1\n\nt1,bob,u2\n", line: 3, reason: "repeats the token"),
        BadCase(name: "unterminated quote", text: "t1,alice,u1,\"dev,ops\n", line: 1, reason: "without its closing quote"),
        BadCase(name: "text after a quote", text: "t1,alice,u1,\"dev\"x\n", line: 1, reason: "text after a closing quote"),
        BadCase(name: "stray quote", text: "t\"1,alice,u1\n", line: 1, reason: "quote inside an unquoted field"),
    ]

    @Test(arguments: invalid)
    func rejectsBadLinesNamingFileAndLineButNeverTheToken(_ c: BadCase) throws {
        let error = try #require(throws: TokenFileError.self) { try TokenFile(parsing: c.text, source: "/etc/concord/tokens.csv") }
        #expect(error.line == c.line)
        #expect(error.reason.contains(c.reason), "\(error)")
        #expect(error.description.hasPrefix("token file /etc/concord/tokens.csv, line \(c.line): "))
        #expect(!error.description.contains("secret-two"))
        #expect(!error.description.contains("t1"))
    }

    @Test func unreadableFileIsAClearError() throws {
        let error = try #require(throws: TokenFileError.self) { try TokenFile(path: "/nonexistent/tokens.csv") }
        #expect(error.line == nil)
        #expect(error.description.hasPrefix("token file /nonexistent/tokens.csv: cannot be read"))
    }
}
