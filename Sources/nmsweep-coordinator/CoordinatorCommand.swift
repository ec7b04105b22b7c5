import ArgumentParser
import SweepCoordinator

@main
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nmsweep-coordinator",
        abstract: "Expand a grid into cells and shard them over ZeroMQ to workers (arrives with issue 5).")

    func run() throws {
        print("nmsweep-coordinator: the distributed runtime is not built yet; run `nmsweep demo` for the compute core.")
        throw ExitCode(2)
    }
}
