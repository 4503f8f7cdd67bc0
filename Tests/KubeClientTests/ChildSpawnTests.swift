import ConcordTesting
import Foundation
import KubeClient
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Starting children without Foundation's `Process`: exit codes, signals, redirection, and no
/// inherited descriptors.
struct ChildSpawnTests {
    /// Spawns and waits for the exit.
    static func runToExit(_ arguments: [String], stdout: ChildStream = .null) async throws -> ChildExit {
        try await withCheckedThrowingContinuation { continuation in
            do {
                _ = try ChildSpawn.spawn(executable: "/bin/sh", arguments: arguments, environment: ["PATH": "/usr/bin:/bin", "GREETING": "hi"], stdout: stdout) {
                    continuation.resume(returning: $0)
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    @Test func reportsExitCodesAndSignals() async throws {
        #expect(try await Self.runToExit(["-c", "exit 0"]) == .exited(0))
        #expect(try await Self.runToExit(["-c", "exit 7"]) == .exited(7))
        #expect(try await Self.runToExit(["-c", "kill -9 $$"]) == .signaled(SIGKILL))
    }

    @Test func writesOutputToTheFileWithTheGivenEnvironmentAndNoInheritedDescriptors() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spawn-\(UUID().uuidString)").path
        defer { unlink(path) }
        // A descriptor the parent holds open without close-on-exec must not reach the child. It is
        // numbered 64 or above: a low one could be the very number `ls` then opens for the directory.
        let opened = open("/dev/null", O_RDONLY)
        let leaked = fcntl(opened, F_DUPFD, 64)
        close(opened)
        try #require(leaked >= 64, "could not hold a descriptor at 64 or above")
        defer { close(leaked) }
        let exit = try await Self.runToExit(["-c", "echo $GREETING; ls /proc/self/fd | sort -n | tr '\\n' ' '"], stdout: .appendingTo(path))
        #expect(exit == .exited(0))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "hi")
        // 0, 1, 2, and the one `ls` opens to read the directory.
        let fds = lines.dropFirst().first.map { $0.split(separator: " ").compactMap { Int32($0) } } ?? []
        #expect(!fds.contains(leaked), "descriptor \(leaked) leaked into the child: \(fds)")
        #expect(fds.filter { $0 > 2 }.count <= 1, "\(fds)")
    }

    @Test func aChildOnALifelineRunsUntilTheLifelineIsCut() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-\(UUID().uuidString)").path
        defer { unlink(path) }
        let lifeline = try Lifeline()
        let (exits, exited) = AsyncStream<ChildExit>.makeStream()
        let ended = Mutex(false)
        _ = try ChildSpawn.spawn(
            executable: "/bin/sh", arguments: ["-c", "echo \"fd $CONCORD_LIFELINE_FD\"; cat <&3 >/dev/null; echo gone"],
            environment: ["PATH": "/usr/bin:/bin"], stdout: .appendingTo(path), lifeline: lifeline
        ) { exit in
            ended.withLock { $0 = true }
            exited.yield(exit)
            exited.finish()
        }
        let output = { @Sendable in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        try await waitUntil { output() == "fd 3\n" }
        // It printed its first line and now reads descriptor 3, which only ends at end-of-file.
        #expect(!ended.withLock { $0 })
        lifeline.cut()
        #expect(await exits.first { _ in true } == .exited(0))
        #expect(output() == "fd 3\ngone\n")
    }

    @Test func followingADescriptorReportsItsEndOfFile() async throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let (ends, ended) = AsyncStream<Void>.makeStream()
        Lifeline.follow(descriptor: fds[0]) {
            ended.yield()
            ended.finish()
        }
        close(fds[1])
        #expect(await ends.first { _ in true } != nil)
    }

    @Test func aMissingProgramIsAClearError() {
        #expect {
            _ = try ChildSpawn.spawn(executable: "/nonexistent/tool", arguments: [], environment: [:]) { _ in }
        } throws: { error in
            "\(error)".hasPrefix("cannot start /nonexistent/tool: ")
        }
    }
}
