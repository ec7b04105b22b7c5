import ArgumentParser
import CommandSupport
import Foundation
import NoisyCore
import StudyData
import StudyRunner
import SweepKit
import TextTasks

/// `nmsweep cell`: runs one cell of the study in this process and prints its result.
struct CellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cell",
        abstract: "Run one cell (pretrain or evaluate) in-process and print its result.",
        discussion: """
            The spec file holds a CellSpec as JSON (what a grid expands to). An evaluate cell with a \
            pretrained feature source uses --model when given; without it, the pre-training runs first, here.
            """)

    @Option(help: "The cell spec (JSON).") var spec: String
    @Option(help: "Model file of the pre-training an evaluate cell depends on.") var model: String?
    @Option(help: "Data folder (default: $NMSWEEP_DATA_DIR, else $XDG_CACHE_HOME/nmsweep/data, else ~/.cache/nmsweep/data).")
    var dataDir: String?
    @Option(help: "Feature cache folder (default: none).") var cacheDir: String?
    @Option(help: "Write the model file a pretrain cell (or the implicit pre-training) produced here.") var outModel: String?
    @Flag(help: "Print the result as one JSON object.") var json = false

    func run() throws {
        let cell = try loadSpec()
        let runner = CellRunner(dataDirectory: dataDir ?? DataCatalog.defaultDirectory(), cacheDirectory: cacheDir,
                                textFeatures: EncodedTextFeatures())
        var modelBytes: [UInt8]?
        if let model {
            do { modelBytes = try FileBytes.read(model) } catch { throw fail("\(error)", code: 2) }
        } else if case .evaluate(let e) = cell, case .pretrained(let p) = e.features {
            note("no --model: pre-training first (noise \(p.noiseRatio), seed \(p.seed), \(p.epochs) epochs)")
            let pre = try execute(runner, .pretrain(p), model: nil)
            modelBytes = pre.artifact
            note("pre-trained: source test accuracy \(String(format: "%.4f", pre.result.accuracy)), model \(pre.result.artifactSHA256 ?? "?")")
            try writeModel(pre.artifact)
        }
        let output = try execute(runner, cell, model: modelBytes)
        if case .pretrain = cell { try writeModel(output.artifact) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(output.result), as: UTF8.self))
        } else {
            print(Self.describe(output.result))
        }
    }

    private func loadSpec() throws -> CellSpec {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(spec) } catch { throw fail("cannot read the spec file: \(error)", code: 2) }
        do {
            return try JSONDecoder().decode(CellSpec.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, context) {
            throw fail("\(spec): not a valid cell spec: key \"\(key.stringValue)\" is missing at \(Self.path(context))", code: 2)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw fail("\(spec): not a valid cell spec: \(context.debugDescription) at \(Self.path(context))", code: 2)
        } catch let DecodingError.dataCorrupted(context) {
            throw fail("\(spec): not a valid cell spec: \(context.debugDescription) at \(Self.path(context))", code: 2)
        } catch {
            throw fail("\(spec): not a valid cell spec: \(error)", code: 2)
        }
    }

    private func execute(_ runner: CellRunner, _ cell: CellSpec, model: [UInt8]?) throws -> CellOutput {
        do {
            switch cell {
            case .pretrain(let pretrain): return try runner.run(pretrain: pretrain)
            case .evaluate(let evaluate): return try runner.run(evaluate: evaluate, model: model)
            case .noop(let noop):
                throw fail("\(spec): a no-op cell (index \(noop.index)) tests the sweep runtime and runs only in a worker; give a pretrain or evaluate cell", code: 2)
            case .command:
                throw fail("\(spec): a command cell runs only on a worker started with --allow-commands; run its command yourself, or give a pretrain or evaluate cell", code: 2)
            }
        } catch let error as CellRunnerError {
            throw fail("cell failed (\(error.retryable ? "retryable" : "not retryable")): \(error.message)", code: 1)
        }
    }

    private func writeModel(_ bytes: [UInt8]?) throws {
        guard let outModel, let bytes else { return }
        do { try FileBytes.write(bytes, to: outModel) } catch { throw fail("cannot write the model: \(error)", code: 1) }
        note("model written to \(outModel) (\(bytes.count) bytes)")
    }

    private func note(_ line: String) {
        FileHandle.standardError.write(Data(("cell: " + line + "\n").utf8))
    }

    /// The failure to throw (``CommandFailure``: `error: <message>`, exit `code`).
    private func fail(_ message: String, code: Int32) -> CommandFailure {
        CommandFailure(message, exitCode: code)
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return p.isEmpty ? "the top level" : p
    }

    static func describe(_ r: CellResult) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.6f", $0) } ?? "-" }
        var lines = ["accuracy       \(f(r.accuracy))"]
        if r.sve != nil { lines.append("sve / lsvr     \(f(r.sve)) / \(f(r.lsvr))") }
        if r.tunedSVE != nil { lines.append("tuned sve/lsvr \(f(r.tunedSVE)) / \(f(r.tunedLSVR))") }
        if r.trainLoss != nil { lines.append("train loss     \(f(r.trainLoss))") }
        if let t = r.lossTerms {
            lines.append("loss terms     ce \(f(t.crossEntropy)), consistency \(f(t.consistency)), singular \(f(t.singular)), covariance \(f(t.covariance))")
        }
        if r.realisedNoise != nil { lines.append("realised noise \(f(r.realisedNoise))") }
        if let a = r.artifactSHA256 { lines.append("model sha256   \(a)") }
        let timings = r.timings.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value)) s" }
        if !timings.isEmpty { lines.append("timings        " + timings.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}
