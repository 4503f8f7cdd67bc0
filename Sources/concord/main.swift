import ConcordCLI

/// Enters the async command tree (a top-level `await` on `main()` would pick the synchronous overload).
/// A child of `concord up` first ties itself to its parent's lifetime.
func start() async { await ConcordCommand.mainFollowingParent() }

await start()
