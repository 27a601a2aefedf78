import ArgumentParser

@main
struct Quire: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quire",
        abstract: "Read office documents and mail into one structured model.",
        version: "0.1.0",
        subcommands: [Extract.self, Summarise.self, Draft.self, Analyse.self, Reply.self, RunTask.self, Batch.self, Models.self, ConfigCommand.self]
    )
}
