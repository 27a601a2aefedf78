import ArgumentParser
import QuireBatch
import QuireLLM
import QuireModel
import QuireRouter

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@main
struct Quire: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quire",
        abstract: "Read office documents and mail into one structured model.",
        discussion: """
            Exit status, the same for every command: 0 success; 1 some inputs or items failed \
            (the others were done); 2 usage (a wrong option or argument); 3 config (no config or \
            model can do it, a config error); 4 a backend or the network failed; 5 a budget or \
            limit was reached (quire batch --max-cost). quire batch also uses 75 (provider \
            batches still running) and 130 (interrupted). Shell completion: quire \
            --generate-completion-script bash|zsh|fish.
            """,
        version: "0.1.0",
        subcommands: [
            Extract.self, Summarise.self, Draft.self, Analyse.self, Reply.self, Ask.self, Triage.self, ExtractFields.self, Review.self, MCPCommand.self,
            RunTask.self,
            Batch.self,
            Models.self,
            ConfigCommand.self,
        ]
    )

    /// The exit statuses (see the discussion above and README.md).
    enum Status {
        static let failed: Int32 = 1
        static let usage: Int32 = 2
        static let config: Int32 = 3
        static let backend: Int32 = 4
        static let limit: Int32 = 5
        /// `batch collect`: batches are still running at the provider; run it again later.
        static let stillRunning: Int32 = 75
        /// Ctrl-C during `batch`: the calls in flight were finished and recorded; the same command continues.
        static let interrupted: Int32 = 130
    }

    /// Runs the command; every error goes through one printer and one table of statuses.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var runnable = command as? any AsyncParsableCommand {
                try await runnable.run()
            } else {
                try command.run()
            }
        } catch {
            Glibc.exit(status(printing: error))
        }
    }

    /// Prints what went wrong (never usage text after a runtime failure) and gives the status.
    static func status(printing error: any Error) -> Int32 {
        switch error {
        case let exit as ExitCode:
            return exit.rawValue
        case let failure as TaskFailure:
            printError("quire: error: \(failure.description)")
            return failure.status
        case let failure as BatchFailure:
            printError("quire: error: " + failure.message)
            return failure.status
        case let invalid as QuireConfig.Invalid:
            printError("quire: error: \(invalid)")
            return Status.config
        case let failure as LLMError:
            printError("quire: error: \(failure)")
            return failure.code == .unsupported || failure.code == .authentication ? Status.config : Status.backend
        case let failure as DocumentError:
            printError("quire: error: \(LimitOptions.describe(failure))")
            return Status.failed
        case let failure as LedgerError:
            printError("quire: error: \(failure)")
            return Status.failed
        default:
            // Argument parsing, --help, --version, validation: ArgumentParser's own words.
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                return 0
            }
            if !message.isEmpty { printError(message) }
            return code == .validationFailure ? Status.usage : code.rawValue
        }
    }
}
