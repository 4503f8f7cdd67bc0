import Crypto
import Foundation
import FederationAPI

/// The file `concord backup` writes and `concord restore` reads: a JSON document with a manifest
/// (versions, counts, a SHA-256 checksum) and the content, the objects themselves, as one JSON text.
///
/// The content is kept as text so the checksum covers exactly the bytes that were written: any
/// change to them, or a manifest that does not describe them, is found before anything is restored.
/// `jq -r .content FILE | jq .` shows the objects.
struct BackupArchive: Equatable {
    /// The `kind` of every archive.
    static let kind = "ConcordBackup"
    /// The archive format this Concord writes and reads.
    static let formatVersion = 1

    /// What the archive holds, and where it came from.
    struct Manifest: Codable, Equatable {
        /// One member's part.
        struct Member: Codable, Equatable {
            var datacenter: String
            var server: String?
            var serverVersion: String?
            var objects: Int
            /// Why the member could not be read, when it could not (its part is then empty).
            var error: String?
        }

        var formatVersion: Int
        /// The `concord version` line of the binary that wrote it.
        var concordVersion: String
        var createdAt: String
        var hubServer: String?
        var hubServerVersion: String?
        var hubObjects: Int
        var members: [Member]
        /// Hex SHA-256 of the content text's UTF-8 bytes.
        var contentSHA256: String
    }

    /// The objects: the hub's, then each member's (by datacenter name).
    struct Content: Equatable {
        var hub: [JSONValue]
        var members: [String: [JSONValue]]
    }

    var manifest: Manifest
    var content: Content

    /// The archive's bytes; `manifest.contentSHA256` is set from the content written.
    func encoded() throws -> Data {
        let text = contentText
        var manifest = manifest
        manifest.contentSHA256 = Self.sha256(text)
        let document: JSONValue = [
            "apiVersion": "backup.concord.dev/v1",
            "kind": .string(Self.kind),
            "manifest": try JSONValue(encoding: manifest),
            "content": .string(text),
        ]
        return document.jsonData()
    }

    /// The content as compact JSON text with sorted keys.
    var contentText: String {
        let members = JSONValue.object(content.members.mapValues { .array($0) })
        return JSONValue.object(["hub": .array(content.hub), "members": members]).jsonString()
    }

    /// Reads and checks an archive: its kind and format, the checksum, and that the manifest counts
    /// what the content holds. Every failure is one line saying what is wrong with the file.
    static func decode(_ data: Data, file: String) throws -> BackupArchive {
        let document: JSONValue
        do {
            document = try CompactJSON.decode(data)
        } catch {
            throw CLIError("\(file) is not a Concord backup (not JSON: \(error)); write one with `concord backup -o FILE`")
        }
        guard document["kind"]?.stringValue == kind else {
            let found = document["kind"]?.stringValue.map { "kind \($0)" } ?? "no kind"
            throw CLIError("\(file) is not a Concord backup (\(found), expected \(kind)); write one with `concord backup -o FILE`")
        }
        let manifest: Manifest
        do {
            manifest = try (document["manifest"] ?? .null).decode(Manifest.self)
        } catch {
            throw CLIError("\(file) is damaged: its manifest cannot be read (\(error)); use another backup")
        }
        guard manifest.formatVersion == formatVersion else {
            throw CLIError(
                "\(file) has archive format \(manifest.formatVersion), this concord reads format \(formatVersion) "
                    + "(written by \(manifest.concordVersion)); restore it with that version")
        }
        guard let text = document["content"]?.stringValue else {
            throw CLIError("\(file) is damaged: it has no content; use another backup")
        }
        let sum = sha256(text)
        guard sum == manifest.contentSHA256 else {
            throw CLIError("\(file) is damaged: its content's SHA-256 is \(sum.prefix(12))…, the manifest says \(manifest.contentSHA256.prefix(12))…; use another backup")
        }
        let parsed = try CompactJSON.decode(Data(text.utf8))
        var members: [String: [JSONValue]] = [:]
        for (name, objects) in parsed["members"]?.objectValue ?? [:] { members[name] = objects.arrayValue ?? [] }
        let content = Content(hub: parsed["hub"]?.arrayValue ?? [], members: members)
        let counted = manifest.members.reduce(into: [String: Int]()) { $0[$1.datacenter] = $1.objects }
        guard content.hub.count == manifest.hubObjects, counted == members.mapValues(\.count) else {
            throw CLIError("\(file) is damaged: its manifest does not count the objects it holds; use another backup")
        }
        return BackupArchive(manifest: manifest, content: content)
    }

    /// Hex SHA-256 of the text's UTF-8 bytes.
    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
