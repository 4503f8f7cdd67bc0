import ConcordCLI

/// Enters the async command tree (a top-level `await` on `main()` would pick the synchronous overload).
func start() async { await ConcordCommand.main() }

await start()
