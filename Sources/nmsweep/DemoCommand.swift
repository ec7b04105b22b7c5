import ArgumentParser
import Foundation
import NoisyCore

/// A short run of the compute core, so `make run` shows something real until the coordinator exists.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Exercise the compute core: a seeded GEMM, printed with its timing.")

    @Option(help: "Matrix size n of the n×n GEMM.")
    var size = 512

    @Option(help: "Seed of the random generator.")
    var seed: UInt64 = 1

    func validate() throws {
        guard size > 0 else { throw ValidationError("--size must be positive, got \(size)") }
    }

    func run() throws {
        var rng = RandomStream(seed: seed)
        let a = Matrix(rows: size, cols: size) { _, _ in rng.normal() }
        let b = Matrix(rows: size, cols: size) { _, _ in rng.normal() }
        let start = ContinuousClock.now
        let c = Matrix.multiply(a, b)
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let gflops = 2 * pow(Double(size), 3) / seconds / 1e9
        print("GEMM \(size)×\(size): \(String(format: "%.3f", seconds * 1000)) ms, \(String(format: "%.2f", gflops)) GFLOP/s, C[0,0] = \(c[0, 0])")
    }
}
