import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public enum ChildExit: Sendable, Hashable {
    /// It called `exit` with this code.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// The exit code, or the signal number (as Foundation's `terminationStatus`).
    public var status: Int32 {
        switch self {
        case .exited(let code), .signaled(let code): code
        }
    }
}

/// Where a child's standard stream goes.
public enum ChildStream: Sendable {
    /// `/dev/null`.
    case null
    /// A file, opened for appending (created when missing).
    case appendingTo(String)
    /// A descriptor of the parent (such as a pipe's write end), duplicated onto the stream.
    case descriptor(Int32)
}

/// Starts child processes with `posix_spawn`, closing every descriptor above 2 in the child.
///
/// Foundation's `Process.run()` on Linux scans `/proc/self/fd` with a struct copy that can read
/// past glibc's directory buffer and crash the parent (swift-corelibs-foundation #5472, present in
/// Swift 6.3.1), which a process that spawns many children — `concord up`, exec credential
/// plugins, the end-to-end tests — eventually hits. This spawner asks glibc to close the inherited
/// descriptors instead (`posix_spawn_file_actions_addclosefrom_np`, glibc 2.34+).
public enum ChildSpawn {
    /// Starts `executable` with `arguments` (without argv[0]) and `environment`, in its own process
    /// group (as Foundation does), and calls `onExit` once, from a dedicated thread, when it ends.
    /// With a `lifeline`, the child gets its read end as descriptor 3 and ``Lifeline/environmentKey``
    /// in its environment, so it can stop when this process is gone. Returns its process id.
    public static func spawn(
        executable: String, arguments: [String], environment: [String: String],
        stdin: ChildStream = .null, stdout: ChildStream = .null, stderr: ChildStream = .null,
        lifeline: Lifeline? = nil,
        onExit: @escaping @Sendable (ChildExit) -> Void
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (stream, target) in [(stdin, STDIN_FILENO), (stdout, STDOUT_FILENO), (stderr, STDERR_FILENO)] {
            let rc: Int32 = switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
            case .appendingTo(let path): posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
            guard rc == 0 else { throw SpawnError(executable: executable, code: rc) }
        }
        var environment = environment
        if let lifeline {
            // dup2 clears close-on-exec on the copy (also when the read end already is descriptor 3).
            let rc = posix_spawn_file_actions_adddup2(&actions, lifeline.readEnd, Lifeline.childDescriptor)
            guard rc == 0 else { throw SpawnError(executable: executable, code: rc) }
            environment[Lifeline.environmentKey] = String(Lifeline.childDescriptor)
        }
        if let closeFrom = addCloseFrom {
            let rc = closeFrom(&actions, lifeline == nil ? 3 : Lifeline.childDescriptor + 1)
            guard rc == 0 else { throw SpawnError(executable: executable, code: rc) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        var rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        // ETXTBSY: the program was just written and another thread's child, between its fork and its
        // exec, still holds the write descriptor. It goes away within milliseconds; try again.
        var attempt = 0
        while rc == ETXTBSY && attempt < 8 {
            attempt += 1
            usleep(UInt32(5_000 * attempt))
            rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        }
        guard rc == 0 else { throw SpawnError(executable: executable, code: rc) }
        let child = pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 {
                guard errno == EINTR else {
                    onExit(.exited(-1))
                    return
                }
            }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
            let signal = status & 0x7f
            onExit(signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal))
        }
        return child
    }

    /// `posix_spawn_file_actions_addclosefrom_np`, looked up at run time (Swift's Glibc module
    /// does not import it).
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
}

/// A child process could not be started.
public struct SpawnError: Error, CustomStringConvertible, Sendable {
    /// The program.
    public var executable: String
    /// The `errno`-style code `posix_spawn` returned.
    public var code: Int32
    /// `cannot start PATH: REASON`.
    public var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
}
