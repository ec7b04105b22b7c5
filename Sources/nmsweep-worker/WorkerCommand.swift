import ArgumentParser
import SweepWorker

@main
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nmsweep-worker",
        abstract: "Run cells for a coordinator (arrives with issue 5).")

    func run() throws {
        print("nmsweep-worker: the distributed runtime is not built yet.")
        throw ExitCode(2)
    }
}
