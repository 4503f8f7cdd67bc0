import Foundation
import Testing

/// Removes a test's directory, recording an issue if it cannot. With `CONCORD_KEEP_TEST_DIRS=1`
/// in the environment the directory and its logs are kept for a person to read.
func removeTestDirectory(_ url: URL) {
    if ProcessInfo.processInfo.environment["CONCORD_KEEP_TEST_DIRS"] == "1" {
        print("kept the test directory \(url.path) (CONCORD_KEEP_TEST_DIRS=1)")
        return
    }
    do {
        try FileManager.default.removeItem(at: url)
    } catch {
        Issue.record("could not remove the test directory \(url.path): \(error)")
    }
}
