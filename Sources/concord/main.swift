import ConcordCLI

await ConcordCommand.main()
