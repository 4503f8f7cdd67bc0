import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A pipe that ties children to their parent's lifetime: the parent holds the write end, each child
/// inherits the read end as descriptor 3 and stops when reading it returns end-of-file, which
/// happens as soon as the parent is gone, however it ended (`exit`, a crash, `kill -9`), because the
/// kernel closes every descriptor of a dead process.
///
/// Chosen over `prctl(PR_SET_PDEATHSIG)`: the death signal fires when the *thread* that spawned the
/// child exits, not the process, and the threads of Swift's cooperative pool come and go, so a
/// healthy parent could kill its children; the child would also have to call `prctl` itself after
/// `exec` and re-check `getppid()` to close the race with a parent that died before. The pipe has
/// neither problem: it exists before the child does (a parent that dies at any point closes it), it
/// belongs to the process, not to a thread, and it is plain POSIX.
///
/// ```swift
/// let pid = try ChildSpawn.spawn(executable: concord, arguments: ["server", …], environment: env,
///                                lifeline: .process) { _ in }
/// // in the child, first thing in main:
/// Lifeline.followInherited { /* stop */ }
/// ```
public final class Lifeline: Sendable {
    /// The environment variable that tells a child which descriptor is its lifeline.
    public static let environmentKey = "CONCORD_LIFELINE_FD"
    /// The descriptor a child finds its lifeline on.
    public static let childDescriptor: Int32 = 3

    /// The read end, given to children.
    let readEnd: Int32
    private let writeEnd: Mutex<Int32?>

    /// Opens a new lifeline (both ends close-on-exec, so only children spawned with it get it).
    public init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw SpawnError(executable: "a lifeline pipe", code: errno)
        }
        // `pipe2` is not in Swift's Glibc module; children spawned meanwhile get no descriptor above 2 anyway.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        readEnd = fds[0]
        writeEnd = Mutex(fds[1])
    }

    /// This process's lifeline, open until the process ends.
    public static let process: Lifeline? = try? Lifeline()

    /// Closes the write end: every child holding the read end sees end-of-file (as when this process dies).
    public func cut() {
        if let fd = writeEnd.withLock({ end in defer { end = nil }; return end }) { close(fd) }
    }

    /// When this process was started with a lifeline (``environmentKey`` names a pipe descriptor),
    /// calls `onParentExit` from a dedicated thread once the parent is gone. The variable is removed
    /// from the environment so grandchildren do not look for it. Returns whether a lifeline was found.
    @discardableResult
    public static func followInherited(onParentExit: @escaping @Sendable () -> Void) -> Bool {
        guard let value = getenv(environmentKey).map({ String(cString: $0) }) else { return false }
        unsetenv(environmentKey)
        guard let fd = Int32(value) else { return false }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFIFO else { return false }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        follow(descriptor: fd, onParentExit: onParentExit)
        return true
    }

    /// Calls `onParentExit` from a dedicated thread once reading `descriptor` returns end-of-file
    /// (or fails); the parent never writes to it.
    public static func follow(descriptor: Int32, onParentExit: @escaping @Sendable () -> Void) {
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let n = read(descriptor, &byte, 1)
                if n > 0 || (n < 0 && errno == EINTR) { continue }
                break
            }
            onParentExit()
        }
    }
}
