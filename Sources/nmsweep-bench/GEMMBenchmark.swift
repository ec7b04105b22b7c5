import ArgumentParser

struct GEMMBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gemm", abstract: "GEMM against OpenBLAS (in progress).")
    func run() throws { throw ExitCode(2) }
}
