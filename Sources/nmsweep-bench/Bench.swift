import ArgumentParser

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nmsweep-bench",
        abstract: "Benchmarks of nmsweep against yardsticks measured in the same run.",
        subcommands: [GEMMBenchmark.self, EncoderBenchmark.self, SVDBenchmark.self, StoreBenchmark.self, TuneBenchmark.self, CellBenchmark.self, CoordinatorBenchmark.self, IdleWorkersBenchmark.self, DashboardBenchmark.self])
}
