/// What `concord version` and `concord --version` print about the binary itself.
struct ConcordVersion: Codable, Equatable {
    /// Concord's release version.
    static let release = "v0.1.0-dev"

    /// The release version, such as `v0.1.0-dev`.
    var version: String
    /// The git commit it was built from, or `unknown` (a build outside a git checkout).
    var gitCommit: String
    /// `clean`, `modified` (tracked files differed from the commit), or `unknown`.
    var gitTreeState: String
    /// The Swift compiler that built it, such as `6.3`.
    var swiftVersion: String

    /// This binary's version.
    static let current = ConcordVersion(
        version: release, gitCommit: BuildCommit.hash,
        gitTreeState: BuildCommit.hash == "unknown" ? "unknown" : BuildCommit.modified ? "modified" : "clean",
        swiftVersion: compilerVersion)

    /// `concord v0.1.0-dev (commit 1a2b3c4d5e6f, Swift 6.3)`, the `--version` line.
    var line: String {
        let commit = gitCommit == "unknown" ? "unknown" : String(gitCommit.prefix(12)) + (gitTreeState == "modified" ? "-modified" : "")
        return "concord \(version) (commit \(commit), Swift \(swiftVersion))"
    }

    /// The compiler's major.minor version, known when this file was compiled.
    static var compilerVersion: String {
        #if compiler(>=6.5)
        return "6.5 or later"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }
}
