#if canImport(Glibc)
import Glibc
#endif
import KubeClient
import Logging
import ServiceLifecycle

/// Hands memory the process has freed back to the operating system every `period`.
///
/// A controller's heap grows while it plans and writes many objects at once (a rule copying
/// thousands of objects to a new datacenter builds every write in memory) and the C allocator keeps
/// the freed pages for reuse, so the resident size stays at the peak. Trimming the free pages now
/// and then lets it fall back to what the caches really hold. It costs a walk over the allocator's
/// free lists, a few milliseconds every `period`.
public struct HeapTrimmer: Service {
    /// How often free memory is handed back.
    public let period: Duration
    private let clock: RuntimeClock
    private let trim: @Sendable () -> Void
    private let logger: Logger

    /// A trimmer on `clock`; `trim` defaults to the C allocator's (nothing where there is none).
    public init(
        period: Duration = .seconds(30), clock: RuntimeClock = .continuous, logger: Logger = Logger(label: "concord.memory"),
        trim: @escaping @Sendable () -> Void = HeapTrimmer.releaseFreeMemory
    ) {
        self.period = period
        self.clock = clock
        self.logger = logger
        self.trim = trim
    }

    /// Trims every `period` until cancelled or gracefully shut down, then returns (a stop is no failure).
    public func run() async throws {
        logger.debug("Handing freed memory back to the system periodically", metadata: ["period": "\(period)"])
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await clock.sleep(for: period)
                    trim()
                }
            }
        } catch is CancellationError {
            return
        }
    }

    /// Returns the C allocator's free pages to the operating system (glibc's `malloc_trim`, looked
    /// up at run time; nothing where the C library has none).
    @Sendable public static func releaseFreeMemory() {
        _ = mallocTrim?(0)
    }

    /// True when the C library can hand free memory back (glibc).
    public static var canReleaseFreeMemory: Bool { mallocTrim != nil }

    /// glibc's `int malloc_trim(size_t pad)`, which its Swift module does not export.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
