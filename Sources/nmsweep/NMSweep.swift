import ArgumentParser
import BuildInfo
import CommandSupport

@main
struct NMSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nmsweep",
        abstract: "Noisy Model Learning sweeps: run cells, tune embeddings, query results.",
        discussion: "Exit status: 0 success, 1 runtime error (e.g. no results database where one was expected), 2 bad arguments.",
        version: BuildInfo.versionText(tool: "nmsweep"),
        subcommands: [CellCommand.self, TuneCommand.self, DataCommand.self, EmbedCommand.self, FeaturesCommand.self, ReportCommand.self, StatusCommand.self, LogsCommand.self, SweepsCommand.self, ExportCommand.self, ImportCommand.self, DBCommand.self, KeygenCommand.self])

    static func main() { mainExitingTwoOnUsageError() }
}
