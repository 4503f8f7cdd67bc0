import ArgumentParser
import FederationAPI
import Foundation
import Testing

@testable import ConcordCLI

/// `concord backup`'s archive: what is written reads back the same; a damaged or foreign file is
/// refused with one line saying so, before anything is restored.
struct BackupArchiveTests {
    private static let archive = BackupArchive(
        manifest: BackupArchive.Manifest(
            formatVersion: BackupArchive.formatVersion, concordVersion: "concord test", createdAt: "2026-12-05T10:00:00Z",
            hubServer: "https://127.0.0.1:1", hubServerVersion: "v1.32.0", hubObjects: 1,
            members: [.init(datacenter: "us-west", server: "https://127.0.0.1:2", serverVersion: "v1.32.0", objects: 1)],
            contentSHA256: ""),
        content: BackupArchive.Content(
            hub: [["apiVersion": "federation.concord.dev/v1alpha1", "kind": "Datacenter", "metadata": ["name": "us-west"], "spec": ["region": "us-west-2"]]],
            members: ["us-west": [["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "flags", "namespace": "shop"], "data": ["ratio": "0.25"]]]]))

    private func failure(_ data: Data) -> String {
        do {
            _ = try BackupArchive.decode(data, file: "b.json")
            return "decoded"
        } catch {
            return "\(error)"
        }
    }

    /// The archive's bytes with one replacement made in them.
    private func edited(_ from: String, _ to: String) throws -> Data {
        let text = String(decoding: try Self.archive.encoded(), as: UTF8.self)
        #expect(text.contains(from), "the archive has no \(from)")
        return Data(text.replacingOccurrences(of: from, with: to).utf8)
    }

    @Test func whatIsWrittenReadsBackTheSame() throws {
        let read = try BackupArchive.decode(try Self.archive.encoded(), file: "b.json")
        #expect(read.content == Self.archive.content)
        #expect(read.manifest.contentSHA256 == BackupArchive.sha256(Self.archive.contentText))
        #expect(read.manifest.members == Self.archive.manifest.members)
    }

    @Test func changedContentIsDamaged() throws {
        let message = failure(try edited("0.25", "0.26"))
        #expect(message.hasPrefix("b.json is damaged: its content's SHA-256 is "), "\(message)")
    }

    @Test func aTruncatedArchiveIsNotJSON() throws {
        let whole = try Self.archive.encoded()
        #expect(failure(whole.prefix(whole.count / 2)).hasPrefix("b.json is not a Concord backup (not JSON"))
    }

    @Test func aForeignFileIsNotABackup() {
        #expect(failure(Data("apiVersion: v1\nkind: ConfigMap\n".utf8)).hasPrefix("b.json is not a Concord backup (not JSON"))
        #expect(failure(Data(#"{"kind":"Deployment"}"#.utf8)) == "b.json is not a Concord backup (kind Deployment, expected ConcordBackup); write one with `concord backup -o FILE`")
    }

    @Test func aManifestThatMiscountsIsDamaged() throws {
        let message = failure(try edited(#""hubObjects":1"#, #""hubObjects":2"#))
        #expect(message == "b.json is damaged: its manifest does not count the objects it holds; use another backup")
    }

    @Test func anotherFormatNamesTheVersionThatWroteIt() throws {
        let message = failure(try edited(#""formatVersion":1"#, #""formatVersion":7"#))
        #expect(message.hasPrefix("b.json has archive format 7, this concord reads format 1 (written by concord test)"), "\(message)")
    }

    @Test func managedObjectsAreFoundByLabelOrRuleAnnotation() {
        let marker: JSONValue = ["metadata": ["name": "concord-federation", "labels": [FederationLabel.managed: "true"]]]
        let replica: JSONValue = ["metadata": ["name": "flags", "annotations": [FederationAnnotation.rule: "shop/global"]]]
        let native: JSONValue = ["metadata": ["name": "app", "labels": ["app": "web"]]]
        #expect(BackupReader.isManaged(marker) && BackupReader.isManaged(replica) && !BackupReader.isManaged(native))
    }

    @Test func portableObjectsForgetTheirServer() {
        let object: JSONValue = [
            "kind": "ConfigMap",
            "metadata": ["name": "flags", "uid": "u", "resourceVersion": "9", "creationTimestamp": "t", "managedFields": [], "ownerReferences": [], "labels": ["a": "b"]],
        ]
        #expect(BackupReader.portable(object) == ["kind": "ConfigMap", "metadata": ["name": "flags", "labels": ["a": "b"]]])
    }

    @Test func restoreNamesWhatToRestore() {
        #expect(throws: (any Error).self) { try RestoreCommand.parse(["-f", "b.json"]) }
        #expect(throws: (any Error).self) { try RestoreCommand.parse(["-f", "b.json", "--datacenter", "us-west"]) }
        #expect(throws: (any Error).self) { try RestoreCommand.parse(["-f", "b.json", "--hub", "--datacenter", "us-west", "--to-kubeconfig", "k"]) }
        #expect(throws: Never.self) { try RestoreCommand.parse(["-f", "b.json", "--datacenter", "us-west", "--to-kubeconfig", "k"]) }
        #expect(throws: Never.self) { try RestoreCommand.parse(["-f", "b.json", "--hub"]) }
    }
}
