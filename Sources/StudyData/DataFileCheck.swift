import Foundation
import Synchronization
import NoisyCore

/// Checks a catalogue data file against its pinned SHA-256 before a loader reads it, once per
/// process and version of the file (path, size and modification time).
///
/// A decoder alone catches most damage (gzip's CRC-32, IDX and CSV shapes) but says only that
/// the bytes are bad; this names the file, the hash it has and the hash it should have, so the
/// cell's error says what to replace. Cost: one SHA-256 pass over the file (≈ 26 MB for the
/// largest) the first time a process loads it; later loads cost one `stat`.
enum DataFileCheck {
    /// Versions of files that matched their pinned hash (`path|size|mtime`).
    private static let verified = Mutex<Set<String>>([])

    /// Throws ``DataError`` `.hashMismatch` when the file at `path` differs from `spec`'s pinned hash.
    static func verify(_ path: String, against spec: DataFileSpec) throws {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let stamp = "\(path)|\(size)|\(modified)"
        if verified.withLock({ $0.contains(stamp) }) { return }
        let actual = try SHA256.hash(fileAt: path).hex
        guard actual == spec.sha256 else {
            let sizes = size == spec.size ? "\(size) bytes" : "\(size) bytes, expected \(spec.size)"
            throw DataError(.hashMismatch,
                            "checksum mismatch: SHA-256 \(actual), expected \(spec.sha256) (\(sizes)); the file is corrupt "
                                + "or truncated: run `nmsweep data fetch` to replace it",
                            path: path)
        }
        _ = verified.withLock { $0.insert(stamp) }
    }
}
