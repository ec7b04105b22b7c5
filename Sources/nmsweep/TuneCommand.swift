public import ArgumentParser
import CommandSupport
import Foundation
import NoisyCore
import StudyData

/// `nmsweep tune`: the black-box entry — tune LP / MLP / NMTune on your own NPY features.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Tune a probe (lp, mlp, nmtune) on NPY features and report accuracy, SVE and LSVR.",
        discussion: """
            Features: float32/float64 NPY, rows × D. Labels: integer NPY, one per row. The number of \
            classes is the largest label + 1 unless --classes is given. Bad input exits with code 2.
            """)

    @Option(help: "Training features (NPY, N × D).") var train: String
    @Option(help: "Training labels (NPY, N integers).") var trainLabels: String
    @Option(help: "Test features (NPY, M × D).") var test: String
    @Option(help: "Test labels (NPY, M integers).") var testLabels: String
    @Option(help: "The tuning method.") var method: TuningMethod
    @Option(help: "Epochs (default: the recipe's 30).") var epochs: Int?
    @Option(help: "Seed of the initialisation and batch order.") var seed: UInt64 = 0
    @Option(help: "Learning rate (default: 0.01 for lp, 1e-3 otherwise).") var lr: Double?
    @Option(help: "Number of classes (default: largest label + 1).") var classes: Int?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        var hyperparameters = TuningHyperparameters.defaults(for: method)
        if let epochs {
            guard epochs >= 1 else { throw fail("--epochs", "must be at least 1, got \(epochs)") }
            hyperparameters.epochs = epochs
        }
        if let lr {
            guard lr.isFinite, lr >= 0 else { throw fail("--lr", "must be a finite non-negative number, got \(lr)") }
            hyperparameters.learningRate = lr
        }
        let trainSplit = try load(features: train, labels: trainLabels)
        let testSplit = try load(features: test, labels: testLabels)
        guard trainSplit.features.cols == testSplit.features.cols else {
            throw fail(test, "has \(testSplit.features.cols) features per row but \(train) has \(trainSplit.features.cols)")
        }
        let largest = max(trainSplit.labels.max() ?? 0, testSplit.labels.max() ?? 0)
        let classCount = classes ?? largest + 1
        if let classes, largest >= classes {
            let file = (trainSplit.labels.max() ?? 0) >= classes ? trainLabels : testLabels
            throw fail(file, "holds label \(largest), outside 0..<\(classes) (--classes \(classes))")
        }
        guard classCount >= 2 else { throw fail(trainLabels, "holds a single class; tuning needs at least 2") }

        let start = ContinuousClock.now
        let outcome: TuningOutcome
        do {
            outcome = try tune(method: method, hyperparameters: hyperparameters, train: trainSplit, test: testSplit,
                               classCount: classCount, seed: seed)
        } catch let error as TuningError {
            throw fail("tuning", error.message, code: error.code == .invalidInput ? 2 : 1)
        }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let input = try? SpectrumMetrics(features: testSplit.features)
        let tuned = try outcome.tunedTestFeatures.map { try SpectrumMetrics(features: $0) }

        if json {
            func number(_ v: Double?) -> Any { v.map { $0 as Any } ?? NSNull() }
            let object: [String: Any] = [
                "method": method.rawValue, "epochs": hyperparameters.epochs, "seed": seed, "classes": classCount,
                "train_rows": trainSplit.features.rows, "test_rows": testSplit.features.rows, "dim": trainSplit.features.cols,
                "accuracy": outcome.accuracy, "train_loss": outcome.trainLoss,
                "sve": number(input?.sve), "lsvr": number(input?.lsvr),
                "tuned_sve": number(tuned?.sve), "tuned_lsvr": number(tuned?.lsvr),
                "loss_terms": outcome.lossTerms.map { t -> Any in
                    ["cross_entropy": t.crossEntropy, "consistency": t.consistency, "singular": t.singular, "covariance": t.covariance]
                } ?? NSNull(),
                "seconds": seconds,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "n/a" }
            print("tune: \(method.rawValue) on \(trainSplit.features.rows)×\(trainSplit.features.cols) train, \(testSplit.features.rows) test, \(classCount) classes, \(hyperparameters.epochs) epochs, seed \(seed), \(String(format: "%.2f", seconds)) s")
            print("accuracy      \(String(format: "%.4f", outcome.accuracy))")
            print("train loss    \(f(outcome.trainLoss))")
            print("input  SVE \(f(input?.sve))  LSVR \(f(input?.lsvr))")
            if method != .lp { print("tuned  SVE \(f(tuned?.sve))  LSVR \(f(tuned?.lsvr))") }
            if let t = outcome.lossTerms {
                print("loss terms    CE \(f(t.crossEntropy))  consistency \(f(t.consistency))  singular \(f(t.singular))  covariance \(f(t.covariance))")
            }
        }
    }

    /// One split from two NPY files, every fault naming its file.
    private func load(features path: String, labels labelPath: String) throws -> LabeledFeatures {
        let matrix: Matrix
        do { matrix = try NPYArray.read(path).matrix() } catch { throw fail(path, reason(error, path)) }
        let labels: [Int]
        do { labels = try NPYArray.read(labelPath).labels() } catch { throw fail(labelPath, reason(error, labelPath)) }
        guard matrix.rows > 0, matrix.cols > 0 else { throw fail(path, "is empty (\(matrix.rows)×\(matrix.cols))") }
        guard !labels.isEmpty else { throw fail(labelPath, "is empty (no labels)") }
        guard labels.count == matrix.rows else {
            throw fail(labelPath, "has \(labels.count) labels but \(path) has \(matrix.rows) rows")
        }
        if let row = labels.firstIndex(where: { $0 < 0 }) { throw fail(labelPath, "holds a negative label \(labels[row]) at row \(row)") }
        let bad = matrix.withUnsafeBufferPointer { $0.firstIndex { !$0.isFinite } }
        if let bad {
            throw fail(path, "holds \(matrix.elements[bad]) at row \(bad / matrix.cols), column \(bad % matrix.cols); features must be finite")
        }
        return LabeledFeatures(features: matrix, labels: labels)
    }

    /// A reader error's text without a leading copy of the file name (the caller prefixes it).
    private func reason(_ error: any Error, _ path: String) -> String {
        let text = "\(error)"
        return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }

    /// The failure to throw: `<what>: <fault>` (bad input by default).
    private func fail(_ what: String, _ fault: String, code: Int32 = 2) -> CommandFailure {
        CommandFailure("\(what): \(fault)", exitCode: code)
    }
}

extension TuningMethod: ExpressibleByArgument {}
