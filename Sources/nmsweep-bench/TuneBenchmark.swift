import ArgumentParser
import NoisyCore

/// `nmsweep-bench tune`: wall time of one LP, MLP and NMTune cell (default recipe) on seeded
/// synthetic features of the study's largest task size (fmnist: 8,000 train × 128, 2,000 test).
struct TuneBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Wall time of LP, MLP and NMTune (default epochs) on seeded synthetic features.")

    @Option(help: "Training rows.") var rows = 8000
    @Option(help: "Test rows.") var testRows = 2000
    @Option(help: "Feature dimension D.") var dim = 128
    @Option(help: "Classes.") var classes = 10
    @Option(help: "Epochs (default: the recipe's 30).") var epochs: Int?
    @Option(help: "Seed of the features and of the tuning.") var seed: UInt64 = 1
    @Option(help: "NMTune's arithmetic version (default: the current one, \(NMTuneArithmetic.current)).")
    var nmtuneArithmetic: Int?
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func validate() throws {
        guard rows > 1, testRows > 0, dim > 0, classes > 1 else {
            throw ValidationError("--rows > 1, --test-rows > 0, --dim > 0 and --classes > 1 are required")
        }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let nmtuneArithmetic, !NMTuneArithmetic.known.contains(nmtuneArithmetic) {
            throw ValidationError("--nmtune-arithmetic must be one of \(Array(NMTuneArithmetic.known)), got \(nmtuneArithmetic)")
        }
    }

    /// Gaussian classes whose centres (`N(0, 0.35²)` per coordinate) overlap enough that the probe
    /// has something to learn, with unit noise.
    private func split(_ count: Int, _ label: String) -> LabeledFeatures {
        var centres = RandomStream(seed: seed).derived("centres")
        let means = Matrix(rows: classes, cols: dim) { _, _ in centres.normal() * 0.35 }
        var rng = RandomStream(seed: seed).derived(label)
        let labels = (0..<count).map { _ in rng.nextInt(below: classes) }
        let x = Matrix(rows: count, cols: dim) { r, c in means[labels[r], c] + rng.normal() }
        return LabeledFeatures(features: x, labels: labels)
    }

    /// FNV-1a (64-bit) over the bits of the last epoch's loss, NMTune's terms and the tuned test
    /// features: equal fingerprints before and after a speed-up mean it changed no result bit on
    /// this workload (the full-size companion of `PinnedBitsTests`).
    static func fingerprint(_ outcome: TuningOutcome) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bits: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) {
                hash = (hash ^ ((bits >> UInt64(shift)) & 0xff)) &* 0x100_0000_01b3
            }
        }
        mix(outcome.accuracy.bitPattern)
        mix(outcome.trainLoss.bitPattern)
        if let t = outcome.lossTerms {
            for value in [t.crossEntropy, t.consistency, t.singular, t.covariance] { mix(value.bitPattern) }
        }
        for value in outcome.tunedTestFeatures?.elements ?? [] { mix(UInt64(value.bitPattern)) }
        return String(hash, radix: 16)
    }

    func run() throws {
        let train = split(rows, "train"), test = split(testRows, "test")
        var fields: [(String, BenchJSON)] = [("train_rows", .int(rows)), ("test_rows", .int(testRows)), ("dim", .int(dim)), ("classes", .int(classes))]
        var total = 0.0
        if !json { print("tune: \(rows)×\(dim) train, \(testRows) test, \(classes) classes, batch 64, 1 thread; load \(BenchSupport.loadAverage() ?? "n/a")") }
        for method in TuningMethod.allCases {
            var h = TuningHyperparameters.defaults(for: method)
            if let epochs { h.epochs = epochs }
            if method == .nmtune, let nmtuneArithmetic { h.setNMTuneArithmetic(nmtuneArithmetic) }
            var outcome: TuningOutcome?
            var cpu = 0.0
            let seconds = try BenchSupport.seconds {
                cpu = try BenchSupport.seconds(.thread) {
                    outcome = try tune(method: method, hyperparameters: h, train: train, test: test, classCount: classes, seed: seed)
                }
            }
            let steps = h.epochs * ((rows + h.batchSize - 1) / h.batchSize)
            total += seconds
            fields.append((method.rawValue, .object([
                ("seconds", .number(seconds)), ("cpu_seconds", .number(cpu)), ("epochs", .int(h.epochs)), ("steps", .int(steps)),
                ("ms_per_step", .number(seconds * 1000 / Double(steps))), ("accuracy", .number(outcome!.accuracy)),
                ("train_loss", .number(outcome!.trainLoss)), ("result_fingerprint", .string(Self.fingerprint(outcome!))),
            ] + (method == .nmtune ? [("nmtune_arithmetic", .int(h.nmtuneArithmeticVersion))] : []))))
            if !json {
                print("  \(method.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(BenchSupport.fixed(seconds, 2)) s wall, \(BenchSupport.fixed(cpu, 2)) s thread CPU  (\(h.epochs) epochs, \(steps) steps, \(BenchSupport.fixed(cpu * 1000 / Double(steps), 3)) CPU ms/step)  accuracy \(BenchSupport.fixed(outcome!.accuracy, 4))")
            }
        }
        // The default grid (grids/paper.yaml) has 5 noise ratios × 12 tasks × 5 seeds = 300 cells of
        // each method; with every task at this (largest) size, two workers need about 300·Σ/2 for tuning.
        let gridMinutes = 300 * total / 2 / 60
        fields.append(("grid_tuning_minutes_upper_bound_2_workers", .number(gridMinutes)))
        if json {
            print(BenchJSON.object(fields).text)
        } else {
            print("  default grid, tuning only, every task at this size, 2 workers: ≤ \(BenchSupport.fixed(gridMinutes, 1)) min")
        }
    }
}
