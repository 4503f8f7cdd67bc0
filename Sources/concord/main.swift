import ConcordCLI

func start() async { await ConcordCommand.main() }
await start()
