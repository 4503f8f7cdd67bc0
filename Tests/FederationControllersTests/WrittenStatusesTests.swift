import ControllerRuntime
import Testing

@testable import FederationControllers

/// A pass plans from the status this controller wrote until the cache shows that write, also when
/// the cache shows a spec edit made just before it (which it holds without the written status).
struct WrittenStatusesTests {
    @Test func theWrittenStatusHoldsUntilTheCacheReachesTheWrite() {
        let written = WrittenStatuses<String>()
        let key = ObjectKey(namespace: "shop", name: "web")
        written.record(key, readVersion: "10", writtenVersion: "13", status: "migration completed")
        #expect(written.status(for: key, version: "10") == "migration completed", "the cache still holds what the pass read")
        #expect(written.status(for: key, version: "12") == "migration completed", "a spec edit made before the write, shown without its status")
        #expect(written.status(for: key, version: "13") == nil, "the cache caught up: its status is the written one")
        #expect(written.status(for: key, version: "12") == nil, "forgotten once caught up")
        // Versions that are not numbers only match exactly.
        written.record(key, readVersion: "a", writtenVersion: "c", status: "s")
        #expect(written.status(for: key, version: "b") == nil)
    }
}
