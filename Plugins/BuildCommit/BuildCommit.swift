import Foundation
import PackagePlugin

/// Records the git commit Concord is built from in a generated `BuildCommit.swift` of the target
/// (`concord version`). Runs before every build; the file is rewritten only when its content
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

    /// One prebuild command writing `BuildCommit.swift` into the plugin's work directory.
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("Generated")
        return [
            .prebuildCommand(
                displayName: "Recording the git commit of the build",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "build-commit", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output)
        ]
    }
}
