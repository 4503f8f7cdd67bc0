import Foundation
import Testing

/// Removes a test's temporary directory, recording an issue (rather than ignoring it) when that fails.
func removeTestDirectory(_ url: URL) {
    do {
        try FileManager.default.removeItem(at: url)
    } catch {
        Issue.record("could not remove the test directory \(url.path): \(error)")
    }
}
