/// Where artifacts live, addressed by their SHA-256: the interface the coordinator's database,
/// a shared folder (`--artifact-dir`) and a worker's cache share, so an object store can be
/// added as one more conformance.
///
/// Every transfer goes chunk by chunk (``WireFormat/artifactChunkBytes``), so memory stays
/// bounded whatever an artifact's size: a writer takes chunks in order, hashing as it goes, and
/// makes the artifact visible only at ``ArtifactWriter/commit(kind:)``, after checking size and
/// SHA-256 (nothing half-written is ever found under a digest); a reader serves chunk `i` of the
/// stored bytes. Implementations: ``ArtifactFolder`` (files), `SweepStore.DatabaseArtifacts`
/// (PostgreSQL rows, optionally with the bytes in a folder).
public protocol ArtifactBackend {
    /// Where the artifacts are, for messages ("the shared folder /mnt/a", "the database").
    var location: String { get }
    /// The stored artifact's size in bytes, or nil when it is not stored.
    func size(of digest: ArtifactDigest) throws -> UInt64?
    /// A writer for an artifact of `totalBytes` bytes (chunks appended in order).
    func writer(for digest: ArtifactDigest, totalBytes: UInt64) throws -> any ArtifactWriter
    /// A reader of the stored artifact, or nil when it is not stored.
    func reader(for digest: ArtifactDigest) throws -> (any ArtifactReader)?
}

/// One artifact being written: chunks in order, then ``commit(kind:)`` or ``abandon()``.
public protocol ArtifactWriter: AnyObject {
    var digest: ArtifactDigest { get }
    var totalBytes: UInt64 { get }
    /// Bytes appended so far.
    var writtenBytes: UInt64 { get }
    /// Appends the next bytes (at most ``WireFormat/artifactChunkBytes`` at a time is the rule
    /// of the wire; a writer takes any length).
    func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Checks size and SHA-256 and makes the artifact durable and visible under its digest.
    /// - Parameter kind: what it is (`model`, `command-output`, `command-log`), for the catalogue.
    /// - Throws: ``ArtifactStoreError`` (`.digestMismatch`, `.sizeMismatch`, or an I/O failure);
    ///   nothing is then stored.
    func commit(kind: String) throws
    /// Forgets what was written (idempotent).
    func abandon()
}

/// A stored artifact, read chunk by chunk.
public protocol ArtifactReader: AnyObject {
    var digest: ArtifactDigest { get }
    var totalBytes: UInt64 { get }
    /// Bytes `[index × 1 MiB, …)` of the artifact: 1 MiB, the last chunk the rest.
    /// - Throws: ``ArtifactStoreError`` when the stored bytes are shorter than declared or unreadable.
    func chunk(_ index: UInt32) throws -> [UInt8]
}

extension ArtifactReader {
    /// Chunks of this artifact (at least 1, also for 0 bytes).
    public var chunkCount: UInt32 { ArtifactChunking.count(totalBytes: totalBytes) }
}

/// The chunk arithmetic the wire and every backend share.
public enum ArtifactChunking {
    /// Chunks of an artifact of `totalBytes`: ⌈total / 1 MiB⌉, at least 1.
    public static func count(totalBytes: UInt64) -> UInt32 {
        let size = UInt64(WireFormat.artifactChunkBytes)
        return UInt32(clamping: max(1, (totalBytes + size - 1) / size))
    }

    /// The byte range of chunk `index`.
    public static func range(of index: UInt32, totalBytes: UInt64) -> Range<UInt64> {
        let start = UInt64(index) * UInt64(WireFormat.artifactChunkBytes)
        return min(start, totalBytes)..<min(start + UInt64(WireFormat.artifactChunkBytes), totalBytes)
    }
}

extension ArtifactBackend {
    /// Whether the artifact is stored.
    public func contains(_ digest: ArtifactDigest) -> Bool { ((try? size(of: digest)) ?? nil) != nil }

    /// Stores `bytes` (a small artifact held in memory, e.g. a model file) under `digest`,
    /// verified; storing what is already there is a no-op.
    public func store(_ bytes: [UInt8], digest: ArtifactDigest, kind: String) throws {
        if try size(of: digest) == UInt64(bytes.count) { return }
        let writer = try writer(for: digest, totalBytes: UInt64(bytes.count))
        do {
            try bytes.withUnsafeBytes { try writer.append($0) }
            try writer.commit(kind: kind)
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Copies every chunk of `reader` into `writer` and commits it (the writer checks the SHA-256).
    /// Memory: one chunk.
    public static func copy(_ reader: any ArtifactReader, into writer: any ArtifactWriter, kind: String) throws {
        do {
            for index in 0..<reader.chunkCount {
                try reader.chunk(index).withUnsafeBytes { try writer.append($0) }
            }
            try writer.commit(kind: kind)
        } catch {
            writer.abandon()
            throw error
        }
    }
}

/// A failure of an artifact backend: what, which artifact and where.
public struct ArtifactStoreError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// The bytes do not hash to the digest they were written or stored under.
        case digestMismatch
        /// More or fewer bytes than declared.
        case sizeMismatch
        /// Not stored.
        case missing
        /// The backend's storage failed (a folder unwritable, a disk full, the database away).
        case storage
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
