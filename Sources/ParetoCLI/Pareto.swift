import ArgumentParser
import Pareto

/// The `pareto` command: a thin layer of argument parsing over the library.
@main
struct ParetoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pareto",
        abstract: "Optimize machine-learning models for where they will really run.",
        subcommands: [DescribeCommand.self, AuditCommand.self, TrainCommand.self, PredictCommand.self, ImportanceCommand.self, TuneCommand.self, StudyCommand.self,
                      CrossValidateCommand.self, EvaluateCommand.self, ImportLightGBMCommand.self,
                      BenchCommand.self, CompressCommand.self, OptimizeCommand.self, ExportCommand.self])

    /// Runs `body`, turning Pareto's errors into a message on standard error
    /// and exit status 1, the contract every subcommand keeps.
    static func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as any ParetoError {
            printError("error: \(error.description)")
            throw ExitCode(1)
        }
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    writeToStandardError(text + "\n")
}
