import ArgumentParser
import Foundation
import NoisyCore
import StudyData

/// `nmsweep-bench cell`: pre-training throughput of the default CNN, wall time of LP / MLP / NMTune
/// cells on synthetic N × D features, and from them an estimate of the whole default grid.
struct CellBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cell",
        abstract: "Pre-training images/s and LP/MLP/NMTune cell times, with an estimate of the default grid on 2 workers.")

    @Option(help: "Source images for the throughput run (1 epoch over this many Fashion-MNIST train images).") var pretrainSamples = 6000
    @Option(help: "Rows of the synthetic train features (the test split has a quarter as many).") var rows = 8000
    @Option(help: "Feature dimension D.") var dimension = 128
    @Option(help: "Tuning epochs (default: the recipe's 30).") var epochs: Int?
    @Option(help: "Data directory (default: the standard one).") var dataDir: String?
    @Option(help: "Workers assumed by the grid estimate.") var workers = 2
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() throws {
        let dataDirectory = dataDir ?? DataCatalog.defaultDirectory()
        let defaults = PretrainSpec(noiseRatio: 0, seed: 1)
        // Pre-training throughput on the default architecture.
        var loadSeconds = 0.0
        var source: Dataset! = nil, test: Dataset! = nil
        loadSeconds = try BenchSupport.seconds {
            source = try Dataset.fashionMNIST(.train, dataDirectory: dataDirectory)
            test = try Dataset.fashionMNIST(.test, dataDirectory: dataDirectory)
        }
        var probe = defaults
        probe.epochs = 1
        probe.sourceSamples = pretrainSamples
        let outcome = try pretrain(probe, source: source, sourceTest: test)
        let imagesPerSecond = outcome.imagesPerSecond
        // The yardstick, measured in this run: the GEMM's rate bounds what the CNN can reach.
        let gemmGFLOPS = Self.gemmGFLOPS()
        let flopsPerImage = Self.trainingFLOPsPerImage(PretrainArchitecture(spec: defaults))
        let limitImagesPerSecond = gemmGFLOPS * 1e9 / flopsPerImage
        let sourceTestSeconds = outcome.timings["test"] ?? 0
        let pretrainSeconds = Double(60_000 * defaults.epochs) / imagesPerSecond + sourceTestSeconds + loadSeconds

        // Tuning cells on synthetic, class-structured features.
        let classCount = 10
        var rng = RandomStream(seed: 7)
        let centres = Matrix(rows: classCount, cols: dimension) { _, _ in rng.normal() }
        func split(_ n: Int) -> LabeledFeatures {
            let labels = (0..<n).map { $0 % classCount }
            let x = Matrix(rows: n, cols: dimension) { r, c in max(0, centres[labels[r], c] + rng.normal()) }
            return LabeledFeatures(features: x, labels: labels)
        }
        let train = split(rows), testSplit = split(rows / 4)
        var cellSeconds: [TuningMethod: Double] = [:]
        var accuracies: [TuningMethod: Double] = [:]
        for method in TuningMethod.allCases {
            var h = TuningHyperparameters.defaults(for: method)
            if let epochs { h.epochs = epochs }
            var outcomeAccuracy = 0.0
            cellSeconds[method] = try BenchSupport.seconds {
                let o = try tune(method: method, hyperparameters: h, train: train, test: testSplit, classCount: classCount, seed: 1)
                _ = try SpectrumMetrics(features: testSplit.features)
                if let z = o.tunedTestFeatures { _ = try SpectrumMetrics(features: z) }
                outcomeAccuracy = o.accuracy
            }
            accuracies[method] = outcomeAccuracy
        }

        // The default grid: 5 noise × 8 tasks × 3 methods × 3 seeds + 15 pre-trainings. A cell's
        // tuning time scales with its task's train rows; the tasks' train rows (80 % splits):
        let taskTrainRows: [String: Int] = [
            "fmnist": 8000, "fmnist-coarse": 8000, "mnist5k": 4000, "digits": 1437,
            "mnist5k->digits": 4000, "digits->mnist5k": 1437, "fmnist->fmnist-rotated": 8000, "fmnist->fmnist-noisy": 8000,
        ]
        let rowScale = Double(taskTrainRows.values.reduce(0, +)) / Double(rows)
        let perModelAndSeed = rowScale * TuningMethod.allCases.reduce(0) { $0 + cellSeconds[$1]! }
        let evaluateTotal = 5 * 3 * perModelAndSeed
        let pretrainTotal = 15 * pretrainSeconds
        let total = (evaluateTotal + pretrainTotal) / Double(workers)

        if json {
            let fields: [(String, BenchJSON)] = [
                ("pretrain_images_per_second", .number(imagesPerSecond)),
                ("pretrain_mflop_per_image", .number(flopsPerImage / 1e6)),
                ("gemm_gflops", .number(gemmGFLOPS)),
                ("pretrain_gemm_limit_images_per_second", .number(limitImagesPerSecond)),
                ("pretrain_fraction_of_gemm_limit", .number(imagesPerSecond / limitImagesPerSecond)),
                ("pretrain_samples", .int(pretrainSamples)),
                ("pretrain_default_epochs", .int(defaults.epochs)),
                ("pretrain_seconds_estimate", .number(pretrainSeconds)),
                ("rows", .int(rows)), ("dimension", .int(dimension)),
                ("lp_seconds", .number(cellSeconds[.lp]!)), ("mlp_seconds", .number(cellSeconds[.mlp]!)),
                ("nmtune_seconds", .number(cellSeconds[.nmtune]!)),
                ("grid_evaluate_seconds", .number(evaluateTotal)), ("grid_pretrain_seconds", .number(pretrainTotal)),
                ("workers", .int(workers)), ("grid_wall_seconds_estimate", .number(total)),
            ]
            print(BenchJSON.object(fields).text)
        } else {
            let f = BenchSupport.fixed
            print("Pre-training (default CNN c1 \(defaults.conv1Channels), c2 \(defaults.conv2Channels), D \(defaults.featureDimension), batch \(defaults.batchSize), \(defaults.optimizer.rawValue))")
            print("  1 epoch over \(pretrainSamples) images: \(f(imagesPerSecond, 0)) images/s (source accuracy after it \(f(outcome.sourceTestAccuracy * 100, 1)) %)")
            print("  GEMM-bound limit: \(f(flopsPerImage / 1e6, 2)) MFLOP per image at \(f(gemmGFLOPS, 1)) GFLOP/s (512³ GEMM, this run) = \(f(limitImagesPerSecond, 0)) images/s; reached \(f(100 * imagesPerSecond / limitImagesPerSecond, 0)) %")
            print("  data load \(f(loadSeconds, 2)) s, source test pass \(f(sourceTestSeconds, 2)) s")
            print("  one default pre-training ≈ 60000 × \(defaults.epochs) / \(f(imagesPerSecond, 0)) + \(f(sourceTestSeconds + loadSeconds, 1)) = \(f(pretrainSeconds, 1)) s")
            print("Tuning cells on \(rows) × \(dimension) train, \(rows / 4) test features, \(epochs ?? 30) epochs (tune + SVE/LSVR)")
            for m in TuningMethod.allCases {
                print("  \(m.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(f(cellSeconds[m]!, 2)) s   (accuracy \(f(accuracies[m]! * 100, 1)) %)")
            }
            print("Default grid (5 noise × 8 tasks × 3 methods × 3 seeds + 15 pre-trainings, \(workers) workers):")
            print("  task train rows sum \(taskTrainRows.values.reduce(0, +)) = \(f(rowScale, 2)) × \(rows)")
            print("  evaluate: 5 × 3 × \(f(rowScale, 2)) × (\(f(cellSeconds[.lp]!, 2)) + \(f(cellSeconds[.mlp]!, 2)) + \(f(cellSeconds[.nmtune]!, 2))) = \(f(evaluateTotal, 0)) s")
            print("  pretrain: 15 × \(f(pretrainSeconds, 1)) = \(f(pretrainTotal, 0)) s")
            print("  wall ≈ (\(f(evaluateTotal, 0)) + \(f(pretrainTotal, 0))) / \(workers) = \(f(total, 0)) s = \(f(total / 60, 1)) min (budget 45 min; extraction and scheduling not included)")
        }
    }

    /// Multiply-add work of one training image (forward, ∂W and ∂X of every layer but the first's
    /// ∂X), in flops.
    static func trainingFLOPsPerImage(_ a: PretrainArchitecture) -> Double {
        let k2 = a.kernelSize * a.kernelSize, grow = 2 * a.padding - a.kernelSize + 1
        let (h1, w1) = (a.input.height + grow, a.input.width + grow)
        let (h2, w2) = (h1 / 2 + grow, w1 / 2 + grow)
        let conv1 = a.conv1Channels * a.input.channels * k2 * h1 * w1
        let conv2 = a.conv2Channels * a.conv1Channels * k2 * h2 * w2
        let fc = a.featureDimension * a.conv2Channels * (h2 / 2) * (w2 / 2)
        let head = a.classCount * a.featureDimension
        let forward = conv1 + conv2 + fc + head
        return 2 * Double(3 * forward - conv1)
    }

    /// Median GFLOP/s of seven 512×512×512 GEMMs on this thread.
    static func gemmGFLOPS() -> Double {
        let n = 512
        var rng = RandomStream(seed: 3)
        let a = Matrix(rows: n, cols: n) { _, _ in rng.normal() }, b = Matrix(rows: n, cols: n) { _, _ in rng.normal() }
        var c = Matrix(rows: n, cols: n)
        var rates: [Double] = []
        for _ in 0..<7 {
            let s = BenchSupport.seconds {
                a.withView { av in b.withView { bv in c.withMutableView { cv in gemm(.none, .none, alpha: 1, av, bv, beta: 0, cv) } } }
            }
            rates.append(2 * Double(n * n * n) / s / 1e9)
        }
        return rates.sorted()[rates.count / 2]
    }
}
