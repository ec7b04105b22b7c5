import Foundation
public import NoisyCore

/// Extracted features on disk, keyed by (model SHA-256, task, seed, task parameters, split), so
/// the three methods of one (noise, task, seed) extract once.
///
/// File format (`<key>.feat`, little-endian): `"NMSWFEAT"`, version u32 (= 1), rows u32, cols u32,
/// rows·cols float32, then SHA-256 of every byte before it. Writes are atomic (a temporary file
/// renamed into place), so a reader sees a whole file or none; a file that fails its checksum or
/// shape check is ignored and recomputed, never trusted.
public struct FeatureCache: Sendable {
    public let directory: String
    static let magic: [UInt8] = Array("NMSWFEAT".utf8)
    static let version: UInt32 = 1

    public init(directory: String) {
        self.directory = directory
    }

    /// The cache key of one split's features.
    public static func key(modelSHA256: String, task: String, seed: UInt64, parameters: TaskParameters, split: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let params = (try? encoder.encode(parameters)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return SHA256.hash("nmsweep-features-v2|\(modelSHA256)|\(task)|\(seed)|\(params)|\(split)").hex
    }

    /// The cached features under `key`, or `compute()`'s (then stored). A write failure is not an
    /// error (the features are still returned); a bad cached file is replaced.
    public func features(key: String, expectedRows: Int, compute: () throws -> Matrix) rethrows -> (features: Matrix, hit: Bool) {
        let path = directory + "/" + key + ".feat"
        if let bytes = try? FileBytes.read(path), let m = Self.decode(bytes), m.rows == expectedRows {
            return (m, true)
        }
        let m = try compute()
        store(m, at: path)
        return (m, false)
    }

    private func store(_ m: Matrix, at path: String) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // A unique temporary name per writer; FileBytes.write itself writes atomically beside it.
        let temporary = path + ".tmp-\(UInt64.random(in: 0...UInt64.max))"
        do {
            try FileBytes.write(Self.encode(m), to: temporary)
            if rename(temporary, path) != 0 { unlink(temporary) }
        } catch {
            unlink(temporary)
        }
    }

    /// The bytes of a cache file holding `m`.
    public static func encode(_ m: Matrix) -> [UInt8] {
        var out = magic
        ModelFile.appendU32(version, &out)
        ModelFile.appendU32(UInt32(m.rows), &out)
        ModelFile.appendU32(UInt32(m.cols), &out)
        out.reserveCapacity(out.count + m.count * 4 + 32)
        m.withUnsafeBufferPointer { for f in $0 { ModelFile.appendU32(f.bitPattern, &out) } }
        out.append(contentsOf: SHA256.hash(out).bytes)
        return out
    }

    /// The matrix of a cache file, or nil when the file is not a whole, intact one.
    public static func decode(_ bytes: [UInt8]) -> Matrix? {
        guard bytes.count >= 20 + 32, Array(bytes[0..<8]) == magic, ModelFile.readU32(bytes, 8) == version else { return nil }
        let rows = Int(ModelFile.readU32(bytes, 12)), cols = Int(ModelFile.readU32(bytes, 16))
        guard rows.multipliedReportingOverflow(by: cols).overflow == false,
              bytes.count == 20 + rows * cols * 4 + 32 else { return nil }
        let body = bytes.count - 32
        guard SHA256.hash(bytes[0..<body]).bytes == Array(bytes[body...]) else { return nil }
        var m = Matrix(rows: rows, cols: cols)
        m.withUnsafeMutableBufferPointer { out in
            for i in 0..<out.count { out[i] = Float(bitPattern: ModelFile.readU32(bytes, 20 + 4 * i)) }
        }
        return m
    }
}
