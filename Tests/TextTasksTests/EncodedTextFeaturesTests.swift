import Foundation
import NoisyCore
import StudyData
import StudyRunner
import Testing
import TextTasks

/// The encoder feature source with the real MiniLM on a small verb pool (14 classes × 10 synsets:
/// 280 texts, a few seconds of one core).
@Suite("Encoder features of text tasks", .enabled(if: WordNetData.available && EncoderData.available, WordNetData.skipReason))
struct EncodedTextFeaturesTests {
    static let source = EncoderFeatures(encoder: "minilm-l6", textsPerClass: 10)
    static let id = "wordnet-verb", ood = "wordnet-verb->wordnet-verb-examples"

    static func bits(_ m: Matrix) -> [UInt32] { m.withUnsafeBufferPointer { $0.map(\.bitPattern) } }

    @Test("ID and OOD share train features; test rows are definitions vs examples; a cache hit is bitwise the same")
    func featuresAndCache() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-textfeatures-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let provider = EncodedTextFeatures()
        let id = try provider.features(task: Self.id, source: Self.source, probeSeed: 0, dataDirectory: WordNetData.directory, cacheDirectory: cache)
        let files = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".feat") }
        #expect(files.count == 1, "one embedding file for the whole pool")
        let ood = try provider.features(task: Self.ood, source: Self.source, probeSeed: 0, dataDirectory: WordNetData.directory, cacheDirectory: cache)
        #expect(id.timings["encode"] != nil && ood.timings["encode"] == nil, "only the first cell embeds")
        #expect(id.classCount == 14 && id.train.features.rows == 14 * 5 && id.test.features.rows == 14 * 5)
        #expect(id.train.features.cols == 384)
        #expect(Self.bits(id.train.features) == Self.bits(ood.train.features) && id.train.labels == ood.train.labels)
        #expect(id.test.labels == ood.test.labels)
        #expect(Self.bits(id.test.features) != Self.bits(ood.test.features))
        // Without a cache the same bits come out (the cached file is not a different computation).
        let uncached = try provider.features(task: Self.ood, source: Self.source, probeSeed: 0, dataDirectory: WordNetData.directory, cacheDirectory: nil)
        #expect(Self.bits(uncached.test.features) == Self.bits(ood.test.features))
        // Another probe seed: another split of the same pool.
        let other = try provider.features(task: Self.id, source: Self.source, probeSeed: 1, dataDirectory: WordNetData.directory, cacheDirectory: cache)
        #expect(Self.bits(other.train.features) != Self.bits(id.train.features))
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".feat") }.count == 1)
    }

    @Test("an LP cell on MiniLM features of verb definitions beats chance twice over, even with 5 synsets per class")
    func cellRunsAboveChance() throws {
        let runner = CellRunner(dataDirectory: WordNetData.directory, textFeatures: EncodedTextFeatures())
        let spec = EvaluateSpec(noiseRatio: 0, task: Self.id, method: .lp, seed: 0, features: .encoder(Self.source))
        let output = try runner.run(evaluate: spec)
        #expect(output.result.accuracy >= 2.0 / 14, "accuracy \(output.result.accuracy)")
        #expect(output.result.sve != nil && output.result.lsvr != nil)
        #expect(try runner.run(evaluate: spec).result.accuracy == output.result.accuracy)
    }

    @Test("unknown encoders and tasks, and a runner without a provider, fail as bad cells (not retried)")
    func errors() {
        let runner = CellRunner(dataDirectory: WordNetData.directory, textFeatures: EncodedTextFeatures())
        for (task, encoder, message) in [(Self.id, "minilm-l12", "unknown encoder 'minilm-l12'"), ("wordnet-adverb", "minilm-l6", "unknown text task 'wordnet-adverb'")] {
            let spec = EvaluateSpec(noiseRatio: 0, task: task, method: .lp, seed: 0, features: .encoder(EncoderFeatures(encoder: encoder, textsPerClass: 10)))
            #expect {
                try runner.run(evaluate: spec)
            } throws: { ($0 as? CellRunnerError).map { !$0.retryable && $0.message.contains(message) } ?? false }
        }
        // A cell keyed for another arithmetic version (a spec stored before the field existed
        // decodes as version 1) is refused by name, never computed with this build's bits.
        let old = EvaluateSpec(noiseRatio: 0, task: Self.id, method: .lp, seed: 0,
                               features: .encoder(EncoderFeatures(encoder: "minilm-l6", textsPerClass: 10, arithmetic: 1)))
        #expect {
            try runner.run(evaluate: old)
        } throws: { ($0 as? CellRunnerError).map { !$0.retryable && $0.message.contains("arithmetic version 1") } ?? false }
        let bare = CellRunner(dataDirectory: WordNetData.directory)
        #expect {
            try bare.run(evaluate: EvaluateSpec(noiseRatio: 0, task: Self.id, method: .lp, seed: 0, features: .encoder(Self.source)))
        } throws: { ($0 as? CellRunnerError).map { !$0.retryable && $0.message.contains("needs the text encoder") } ?? false }
    }
}

enum EncoderData {
    static let available = FileManager.default.fileExists(atPath: WordNetData.directory + "/" + DataCatalog.FileName.miniLMWeights)
}
