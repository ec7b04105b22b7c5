import Foundation
public import NoisyCore
public import StudyData
import StudyRunner
import Synchronization
import TextEncoder

/// The text tasks' features for ``CellRunner``: WordNet pools (``TextPool``) embedded by a text
/// encoder, each pool's embeddings computed once per worker and kept on disk.
///
/// Why per worker and not through the artifact store: embedding is deterministic (bitwise the
/// same for any batching and thread count, docs/encoder.md), so every worker computes the same
/// bytes from the pinned data and model; a pool costs seconds to a minute of one core, while
/// shipping it would need a producing cell, a DAG edge and artifact traffic through the
/// coordinator for every task. The embeddings live in the worker's feature cache
/// (``FeatureCache``, checksummed, atomic writes) under a key of the encoder, its pinned weights
/// hash, its arithmetic version (``TextEncoder/arithmeticVersion``) and the SHA-256 of the pool's texts, so a changed rule or file is a new entry; in one
/// cache folder, slots and local workers that need the same pool wait for the first instead of
/// encoding it twice.
public struct EncodedTextFeatures: TextFeatureProvider {
    /// Encoder names a grid may give (the catalogue's list, ``TextTask/encoders``).
    public static let encoders = TextTask.encoders
    /// Threads one encoding runs on (a worker slot is one core).
    public let threads: Int

    public init(threads: Int = 1) {
        self.threads = max(1, threads)
    }

    public func features(task name: String, source: EncoderFeatures, probeSeed: UInt64, dataDirectory: String,
                         cacheDirectory: String?) throws -> TextTaskFeatures {
        let clock = ContinuousClock()
        var start = clock.now
        guard Self.encoders.contains(source.encoder) else {
            throw CellRunnerError(retryable: false, message: "unknown encoder '\(source.encoder)'; known: \(Self.encoders.joined(separator: ", "))")
        }
        guard source.arithmetic == TextEncoder.arithmeticVersion else {
            throw CellRunnerError(retryable: false, message: "the cell was keyed for the encoder's arithmetic version \(source.arithmetic); this worker computes version \(TextEncoder.arithmeticVersion), whose embeddings differ in their last bits: run the grid again with this build, which makes new cells (docs/encoder.md)")
        }
        let task = try TextTask(name: name)
        let pool = try Self.pool(task.part, textsPerClass: source.textsPerClass, dataDirectory: dataDirectory)
        let (trainRows, testRows) = pool.split(probeSeed: probeSeed)
        let load = seconds(clock.now - start)
        start = clock.now
        let (embeddings, embedded) = try Self.embeddings(of: pool, encoder: source.encoder, dataDirectory: dataDirectory,
                                                         cacheDirectory: cacheDirectory, threads: threads)
        // Rows 0..<n are the definitions, n..<2n the examples.
        let offset = task.testSide == .examples ? pool.definitions.count : 0
        let train = LabeledFeatures(features: embeddings.selectingRows(trainRows), labels: trainRows.map(pool.label))
        let test = LabeledFeatures(features: embeddings.selectingRows(testRows.map { $0 + offset }), labels: testRows.map(pool.label))
        var timings = ["load": load, "extract": seconds(clock.now - start)]
        // Only the cell that embedded the pool has `encode`: which cell paid for it, in `results.timings`.
        if let embedded { timings["encode"] = embedded }
        return TextTaskFeatures(train: train, test: test, classCount: pool.classCount, timings: timings)
    }

    // MARK: pools

    private static let pools = Mutex<[String: TextPool]>([:])

    /// The pool of `part`, read once per process and size.
    public static func pool(_ part: WordNetPart, textsPerClass: Int, dataDirectory: String) throws -> TextPool {
        let key = "\(dataDirectory)|\(part.rawValue)|\(textsPerClass)"
        if let pool = pools.withLock({ $0[key] }) { return pool }
        let path = dataDirectory + "/" + part.fileName
        try verifyPinned(path, name: part.fileName)
        let pool = try TextPool(synsets: WordNet.read(path), part: part, textsPerClass: textsPerClass)
        pools.withLock { $0[key] = pool }
        return pool
    }

    // MARK: embeddings

    /// The pool's embeddings: its definitions, then its examples (2·n × dimension), and the seconds
    /// spent embedding them here (nil when they came from the cache).
    static func embeddings(of pool: TextPool, encoder: String, dataDirectory: String, cacheDirectory: String?,
                           threads: Int) throws -> (Matrix, Double?) {
        let texts = pool.definitions + pool.examples
        let weights = DataCatalog.spec(named: DataCatalog.FileName.miniLMWeights)!.sha256
        let textsHash = SHA256.hash(texts.joined(separator: "\u{0}")).hex
        // The forward pass's arithmetic version (2 and later) is part of the key: a changed kernel is a new entry.
        let key = SHA256.hash("nmsweep-text-embeddings-v1|\(encoder)|\(weights)|\(texts.count)|\(textsHash)|forward-\(TextEncoder.arithmeticVersion)").hex
        let clock = ContinuousClock()
        let start = clock.now
        func compute() throws -> Matrix {
            let files = TextEncoderFiles(dataDirectory: dataDirectory)
            try verifyPinned(files.weights, name: DataCatalog.FileName.miniLMWeights)
            let model: TextEncoder
            do { model = try TextEncoder(files: files) } catch let error as TextEncoderError {
                throw CellRunnerError(retryable: error.code == .io, message: "text encoder: \(error)")
            }
            return model.encode(texts, threads: threads)
        }
        guard let cacheDirectory else { return (try compute(), seconds(clock.now - start)) }
        // One embedding of a pool per cache folder: slots and worker processes sharing the folder
        // (local workers do) wait for the first, then read its file.
        let lock = PoolLock(path: cacheDirectory + "/" + key + ".lock")
        defer { lock.release() }
        let lookup = try FeatureCache(directory: cacheDirectory).features(key: key, expectedRows: texts.count, compute: compute)
        return (lookup.features, lookup.hit ? nil : seconds(clock.now - start))
    }

    private static let verified = Mutex<Set<String>>([])

    /// Checks a catalogue file against its pin once per process (the cache key trusts the pin).
    private static func verifyPinned(_ path: String, name: String) throws {
        if verified.withLock({ $0.contains(path) }) { return }
        guard FileBytes.isFile(path) else {
            throw DataError(.missingFile, "not in the data folder; run `nmsweep data fetch`", path: path)
        }
        let expected = DataCatalog.spec(named: name)!.sha256
        let actual = try SHA256.hash(fileAt: path).hex
        guard actual == expected else {
            throw DataError(.hashMismatch, "checksum mismatch: SHA-256 \(actual), expected \(expected); run `nmsweep data fetch` to replace it", path: path)
        }
        _ = verified.withLock { $0.insert(path) }
    }
}

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

extension Matrix {
    /// A matrix of the given rows of this one, in that order.
    func selectingRows(_ rows: [Int]) -> Matrix {
        var out = Matrix(rows: rows.count, cols: cols)
        let width = cols
        withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for (i, row) in rows.enumerated() {
                    for j in 0..<width { target[i * width + j] = source[row * width + j] }
                }
            }
        }
        return out
    }
}

/// An exclusive `flock` on a file beside a pool's cached embeddings, held while they are looked up
/// or computed. Each holder opens its own descriptor, so it excludes threads of one process as well
/// as other processes; the kernel drops it if the process dies. Without a lock file (a read-only
/// folder) there is no exclusion, only possibly duplicated work.
private struct PoolLock {
    let descriptor: Int32

    init(path: String) {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        if descriptor >= 0 { while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {} }
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
