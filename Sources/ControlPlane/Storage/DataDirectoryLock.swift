#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// An exclusive advisory lock (`flock`) on a file in the data directory, held while a store is open.
///
/// Two processes writing one database would each keep their own watch fan-out and miss the other's
/// events, so a second opener fails fast instead. The kernel drops the lock when the process dies,
/// so a `kill -9` never leaves a stale lock behind.
final class DataDirectoryLock: Sendable {
    /// The locked file's descriptor, nil once released.
    private let descriptor: Mutex<Int32?>

    /// Takes the lock on `path`, creating the file; throws when another opener holds it.
    init(path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StorageError(.internalError, message: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "another process (or store) has this data directory open" : String(cString: strerror(errno))
            close(descriptor)
            throw StorageError(.internalError, message: "cannot lock \(path): \(reason)")
        }
        self.descriptor = Mutex(descriptor)
    }

    /// Releases the lock (idempotent).
    func release() {
        guard let descriptor = descriptor.withLock({ held -> Int32? in
            defer { held = nil }
            return held
        }) else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    deinit { release() }
}
