import Foundation
import PackagePlugin

/// Records the git commit Concord is built from in a generated `BuildCommit.swift` of the target
/// (`concord version`). The command runs again whenever git's HEAD, the branch it names, the packed
/// refs or any Swift source of the package change; the file is rewritten only when its content
/// changes. Outside a git checkout (a source tarball) the commit is `unknown`.
@main
struct BuildCommit: BuildToolPlugin {
    /// The shell script: $1 is the package directory, $2 the output directory.
    static let script = #"""
        set -u
        mkdir -p "$2"
        commit=unknown
        modified=false
        top=$(git -C "$1" rev-parse --show-toplevel 2>/dev/null || true)
        if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$1" && pwd -P)" ]; then
          commit=$(git -C "$1" rev-parse HEAD 2>/dev/null || echo unknown)
          if [ -n "$(git -C "$1" status --porcelain --untracked-files=no 2>/dev/null)" ]; then modified=true; fi
        fi
        printf '/// The git commit this build was made from (generated before each build).\nenum BuildCommit {\n    /// The commit hash, or "unknown" outside a git checkout.\n    static let hash = "%s"\n    /// True when tracked files differed from that commit.\n    static let modified = %s\n}\n' "$commit" "$modified" > "$2/BuildCommit.swift.new"
        if cmp -s "$2/BuildCommit.swift.new" "$2/BuildCommit.swift"; then rm -f "$2/BuildCommit.swift.new"; else mv "$2/BuildCommit.swift.new" "$2/BuildCommit.swift"; fi
        """#

    /// One build command writing `BuildCommit.swift` into the plugin's work directory.
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("Generated")
        let package = context.package.directoryURL
        let sources = context.package.targets.compactMap { $0.sourceModule }.flatMap { $0.sourceFiles.map(\.url) }
        return [
            .buildCommand(
                displayName: "Recording the git commit of the build",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "build-commit", package.path, output.path],
                inputFiles: Self.gitFiles(package) + sources,
                outputFiles: [output.appendingPathComponent("BuildCommit.swift")])
        ]
    }

    /// The files that change when the checked-out commit changes: HEAD, the branch HEAD names and
    /// packed-refs (in a linked worktree, HEAD is the worktree's and the refs the common directory's).
    static func gitFiles(_ package: URL) -> [URL] {
        let dotGit = package.appendingPathComponent(".git")
        var gitDir = dotGit
        if let link = try? String(contentsOf: dotGit, encoding: .utf8), link.hasPrefix("gitdir: ") {
            let path = link.dropFirst("gitdir: ".count).trimmingCharacters(in: .whitespacesAndNewlines)
            gitDir = URL(fileURLWithPath: path, relativeTo: package).standardizedFileURL
        }
        var common = gitDir
        if let relative = try? String(contentsOf: gitDir.appendingPathComponent("commondir"), encoding: .utf8) {
            common = URL(fileURLWithPath: relative.trimmingCharacters(in: .whitespacesAndNewlines), relativeTo: gitDir.appendingPathComponent("x")).standardizedFileURL
        }
        let head = gitDir.appendingPathComponent("HEAD")
        var files = [head, common.appendingPathComponent("packed-refs")]
        if let text = try? String(contentsOf: head, encoding: .utf8), text.hasPrefix("ref: ") {
            files.append(common.appendingPathComponent(text.dropFirst("ref: ".count).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return files.filter { FileManager.default.fileExists(atPath: $0.path) }
    }
}
