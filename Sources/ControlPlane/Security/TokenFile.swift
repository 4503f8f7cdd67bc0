import Foundation

/// Who a request acts as, once authenticated.
public struct UserInfo: Sendable, Hashable {
    /// The user name audit and log lines show.
    public var name: String
    /// A stable identifier (may be empty).
    public var uid: String
    /// The groups the user is in.
    public var groups: [String]

    /// Creates a user.
    public init(name: String, uid: String = "", groups: [String] = []) {
        self.name = name
        self.uid = uid
        self.groups = groups
    }

    /// The user the control plane's own token (the one written into its kubeconfig) stands for.
    public static let admin = UserInfo(name: "concord-admin", uid: "concord-admin", groups: ["system:masters"])
}

/// A static token file in kube-apiserver's format: one CSV record a line,
/// `token,user,uid[,"group1,group2"]`.
///
/// Blank lines and lines starting with `#` are ignored. Every other line needs a non-empty token and
/// user name; a token may appear only once. Errors name the file and line, never the token.
public struct TokenFile: Sendable {
    /// The users by token.
    public let users: [String: UserInfo]

    /// Parses the file's text; `source` names it in errors.
    public init(parsing text: String, source: String) throws {
        var users: [String: UserInfo] = [:]
        var lineNumber = 0
        // `\r\n` is one Character, so splitting on newline characters handles both line endings.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            func failure(_ why: String) -> TokenFileError { TokenFileError(source: source, line: lineNumber, reason: why) }
            let fields: [String]
            do {
                fields = try Self.fields(of: line)
            } catch let reason as CSVReason {
                throw failure(reason.text)
            }
            guard fields.count >= 3 else {
                throw failure("needs at least 3 columns (token,user,uid[,\"group1,group2\"]), found \(fields.count)")
            }
            let token = fields[0], name = fields[1]
            guard !token.isEmpty else { throw failure("the token is empty") }
            guard !name.isEmpty else { throw failure("the user name is empty") }
            guard users[token] == nil else { throw failure("repeats the token of an earlier line") }
            let groups = fields.count > 3
                ? fields[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                : []
            users[token] = UserInfo(name: name, uid: fields[2], groups: groups)
        }
        self.users = users
    }

    /// Reads and parses a file.
    public init(path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TokenFileError(source: path, line: nil, reason: "cannot be read (\(error.localizedDescription))")
        }
        try self.init(parsing: text, source: path)
    }

    private struct CSVReason: Error {
        var text: String
    }

    /// Splits one CSV line: commas separate fields, leading spaces are dropped, a field in double
    /// quotes may hold commas and `""` for a quote.
    private static func fields(of line: String) throws -> [String] {
        var fields: [String] = []
        var chars = Substring(line)
        while true {
            while chars.first == " " || chars.first == "\t" { chars.removeFirst() }
            var field = ""
            if chars.first == "\"" {
                chars.removeFirst()
                var closed = false
                while let c = chars.first {
                    chars.removeFirst()
                    if c == "\"" {
                        if chars.first == "\"" {
                            field.append("\"")
                            chars.removeFirst()
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        field.append(c)
                    }
                }
                guard closed else { throw CSVReason(text: "has a quoted field without its closing quote") }
                while chars.first == " " || chars.first == "\t" { chars.removeFirst() }
                guard chars.isEmpty || chars.first == "," else { throw CSVReason(text: "has text after a closing quote") }
            } else {
                while let c = chars.first, c != "," {
                    guard c != "\"" else { throw CSVReason(text: "has a quote inside an unquoted field") }
                    field.append(c)
                    chars.removeFirst()
                }
                field = field.trimmingCharacters(in: .whitespaces)
            }
            fields.append(field)
            guard chars.first == "," else { return fields }
            chars.removeFirst()
        }
    }
}

/// A token file that cannot be used, with the file and line (never the token).
public struct TokenFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var source: String
    /// The 1-based line, when one line is at fault.
    public var line: Int?
    /// What is wrong.
    public var reason: String

    /// `token file PATH, line N: REASON`.
    public var description: String {
        "token file \(source)\(line.map { ", line \($0)" } ?? ""): \(reason)"
    }
}
