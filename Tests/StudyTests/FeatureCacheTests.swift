import Foundation
import NoisyCore
import Testing
import StudyData
import StudyRunner

/// The on-disk feature cache: hits return the stored matrix, a corrupt file is recomputed.
@Suite struct FeatureCacheTests {
    static func matrix() -> Matrix {
        var rng = RandomStream(seed: 9)
        return Matrix(rows: 13, cols: 6) { _, _ in rng.normal() }
    }

    @Test func storesThenHits() throws {
        let cache = FeatureCache(directory: try TestFiles.directory())
        let key = FeatureCache.key(modelSHA256: "ab", task: "fmnist", seed: 1, parameters: TaskParameters(), split: "train")
        var calls = 0
        let first = cache.features(key: key, expectedRows: 13) { calls += 1; return Self.matrix() }
        let second = cache.features(key: key, expectedRows: 13) { calls += 1; return Matrix(rows: 13, cols: 6) }
        #expect(!first.hit && second.hit && calls == 1)
        #expect(second.features == Self.matrix())
    }

    @Test func keysSeparateEveryField() {
        let base = FeatureCache.key(modelSHA256: "ab", task: "fmnist", seed: 1, parameters: TaskParameters(), split: "train")
        let others = [
            FeatureCache.key(modelSHA256: "ac", task: "fmnist", seed: 1, parameters: TaskParameters(), split: "train"),
            FeatureCache.key(modelSHA256: "ab", task: "digits", seed: 1, parameters: TaskParameters(), split: "train"),
            FeatureCache.key(modelSHA256: "ab", task: "fmnist", seed: 2, parameters: TaskParameters(), split: "train"),
            FeatureCache.key(modelSHA256: "ab", task: "fmnist", seed: 1, parameters: TaskParameters(trainFraction: 0.5), split: "train"),
            FeatureCache.key(modelSHA256: "ab", task: "fmnist", seed: 1, parameters: TaskParameters(), split: "test"),
        ]
        #expect(Set(others + [base]).count == 6)
    }

    @Test func corruptOrTruncatedFileIsRecomputed() throws {
        let directory = try TestFiles.directory()
        let cache = FeatureCache(directory: directory)
        let key = "k"
        _ = cache.features(key: key, expectedRows: 13) { Self.matrix() }
        let path = directory + "/k.feat"
        var bytes = try FileBytes.read(path)
        #expect(FeatureCache.decode(bytes) == Self.matrix())
        bytes[40] ^= 1
        try FileBytes.write(bytes, to: path)
        var calls = 0
        let again = cache.features(key: key, expectedRows: 13) { calls += 1; return Self.matrix() }
        #expect(calls == 1 && !again.hit)
        try FileBytes.write(Array(try FileBytes.read(path).prefix(50)), to: path)
        let third = cache.features(key: key, expectedRows: 13) { calls += 1; return Self.matrix() }
        #expect(calls == 2 && !third.hit && third.features == Self.matrix())
        // The rewritten file is whole again.
        #expect(FeatureCache.decode(try FileBytes.read(path)) == Self.matrix())
    }
}
