import ArgumentParser

@main
struct NMSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nmsweep",
        abstract: "Noisy Model Learning sweeps: run cells, tune embeddings, query results.",
        subcommands: [CellCommand.self, TuneCommand.self, DataCommand.self, EmbedCommand.self, FeaturesCommand.self, ReportCommand.self, StatusCommand.self, SweepsCommand.self, DBCommand.self, DemoCommand.self, KeygenCommand.self])
}
