public import SweepKit
import Postgres

/// The coordinator's artifact backend: the `artifacts` table is the catalogue (one row per
/// complete artifact, written last), the bytes are 1 MiB rows of `artifact_chunks` — or, with
/// `--artifact-dir`, files of the shared folder (``ArtifactFolder``). Rows stored whole before
/// migration 8 stay readable. Neither the coordinator nor PostgreSQL holds a whole artifact:
/// chunks are written as they arrive and read one at a time (docs/schema.md, "Artifacts").
///
/// Not thread-safe: it uses the database's connection (the coordinator's store thread).
public final class DatabaseArtifacts: ArtifactBackend {
    let database: SweepDatabase
    /// Where new artifacts' bytes go; nil = the database.
    public let folder: ArtifactFolder?

    public init(database: SweepDatabase, folder: ArtifactFolder?) {
        self.database = database
        self.folder = folder
    }

    public var location: String { folder?.location ?? "the database" }

    /// The catalogue's row: size and where the bytes are.
    func entry(_ digest: ArtifactDigest) throws -> (size: UInt64, storage: String)? {
        try database.connection.query("SELECT size, storage FROM artifacts WHERE hash = $1", digest.hex).first.map {
            (UInt64(try $0.decode(0, as: Int64.self)), try $0.decode(1, as: String.self))
        }
    }

    /// The size of a complete artifact; nil when it is not catalogued, or when its file in the
    /// shared folder is missing or of another size (it must then be made again).
    public func size(of digest: ArtifactDigest) throws -> UInt64? {
        guard let entry = try entry(digest) else { return nil }
        guard entry.storage == "folder" else { return entry.size }
        guard let folder else {
            throw ArtifactStoreError(.storage, "artifact \(digest.hex.prefix(12)) is in a shared artifact folder, and this coordinator has no --artifact-dir")
        }
        return try folder.size(of: digest) == entry.size ? entry.size : nil
    }

    public func writer(for digest: ArtifactDigest, totalBytes: UInt64) throws -> any ArtifactWriter {
        if let folder {
            return CataloguedWriter(inner: try folder.writer(for: digest, totalBytes: totalBytes), database: database, storage: "folder")
        }
        return try ChunkRowWriter(database: database, digest: digest, totalBytes: totalBytes)
    }

    public func reader(for digest: ArtifactDigest) throws -> (any ArtifactReader)? {
        guard let entry = try entry(digest) else { return nil }
        switch entry.storage {
        case "folder":
            guard let folder else {
                throw ArtifactStoreError(.storage, "artifact \(digest.hex.prefix(12)) is in a shared artifact folder, and this coordinator has no --artifact-dir")
            }
            guard try folder.size(of: digest) == entry.size, let reader = try folder.reader(for: digest) else { return nil }
            return reader
        case "chunks":
            return ChunkRowReader(database: database, digest: digest, totalBytes: entry.size, whole: false)
        default:
            return ChunkRowReader(database: database, digest: digest, totalBytes: entry.size, whole: true)
        }
    }

    /// Catalogues an artifact a worker wrote to the shared folder itself (it uploaded nothing):
    /// the coordinator checks that the file is there, and its size, before the result that names
    /// it is committed.
    /// - Throws: ``ArtifactStoreError`` (`.missing`) when the folder does not hold it.
    public func register(_ digest: ArtifactDigest, kind: String) throws {
        if try entry(digest) != nil, try size(of: digest) != nil { return }
        guard let folder else {
            throw ArtifactStoreError(.missing, "artifact \(digest.hex.prefix(12)) was never uploaded")
        }
        guard let size = try folder.size(of: digest) else {
            throw ArtifactStoreError(.missing, "artifact \(digest.hex.prefix(12)) is not in \(folder.location) (\(folder.path(digest)))")
        }
        try catalogue(database, digest, kind: kind, size: size, storage: "folder")
    }

    /// Links a command attempt's log (a catalogued artifact) to its cell and attempt; a later
    /// link of the same attempt replaces it.
    public func linkLog(cell: String, attempt: Int, artifact: String, worker: String?) throws {
        try database.connection.execute("""
            INSERT INTO cell_logs (cell_key, attempt, artifact, worker_id) VALUES ($1, $2, $3, $4)
            ON CONFLICT (cell_key, attempt) DO UPDATE SET artifact = EXCLUDED.artifact, worker_id = EXCLUDED.worker_id, created_at = now()
            """, cell, attempt, artifact, worker)
    }

    /// Forgets an artifact whose bytes are gone (a file missing or damaged in the shared folder), so
    /// the cell that made it runs again and catalogues it anew.
    public func forget(_ digest: ArtifactDigest) throws {
        try database.connection.execute("DELETE FROM artifacts WHERE hash = $1 AND storage = 'folder' AND NOT EXISTS (SELECT 1 FROM cell_logs WHERE artifact = $1)", digest.hex)
    }
}

/// Writes (or replaces) the catalogue row of a complete artifact.
func catalogue(_ database: SweepDatabase, _ digest: ArtifactDigest, kind: String, size: UInt64, storage: String) throws {
    try database.connection.execute("""
        INSERT INTO artifacts (hash, kind, bytes, size, storage) VALUES ($1, $2, NULL, $3, $4)
        ON CONFLICT (hash) DO UPDATE SET size = EXCLUDED.size, storage = EXCLUDED.storage
            WHERE artifacts.storage <> 'row' AND artifacts.storage <> EXCLUDED.storage
        """, digest.hex, kind, Int64(size), storage)
}

/// A folder writer whose commit also writes the catalogue row.
final class CataloguedWriter: ArtifactWriter {
    let inner: any ArtifactWriter
    let database: SweepDatabase
    let storage: String

    init(inner: any ArtifactWriter, database: SweepDatabase, storage: String) {
        self.inner = inner
        self.database = database
        self.storage = storage
    }

    var digest: ArtifactDigest { inner.digest }
    var totalBytes: UInt64 { inner.totalBytes }
    var writtenBytes: UInt64 { inner.writtenBytes }
    func append(_ bytes: UnsafeRawBufferPointer) throws { try inner.append(bytes) }
    func abandon() { inner.abandon() }

    func commit(kind: String) throws {
        try inner.commit(kind: kind)
        try catalogue(database, digest, kind: kind, size: totalBytes, storage: storage)
    }
}

/// Writes an artifact as `artifact_chunks` rows, one per 1 MiB appended (each its own
/// statement: no transaction spans an upload), hashing as it goes; the commit checks size and
/// SHA-256 and writes the catalogue row. An artifact already catalogued is hashed and checked
/// but not written again.
final class ChunkRowWriter: ArtifactWriter {
    let database: SweepDatabase
    let digest: ArtifactDigest
    let totalBytes: UInt64
    private(set) var writtenBytes: UInt64 = 0
    private var pending: [UInt8] = []
    private var nextChunk: Int32 = 0
    private var hasher = ArtifactHasher()
    private let alreadyStored: Bool
    private var ended = false

    init(database: SweepDatabase, digest: ArtifactDigest, totalBytes: UInt64) throws {
        self.database = database
        self.digest = digest
        self.totalBytes = totalBytes
        alreadyStored = try database.connection.query("SELECT 1 FROM artifacts WHERE hash = $1", digest.hex).count == 1
        // Rows of an earlier, abandoned upload of these bytes are replaced.
        if !alreadyStored { try database.connection.execute("DELETE FROM artifact_chunks WHERE hash = $1", digest.hex) }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard !ended else { throw ArtifactStoreError(.storage, "artifact \(digest.hex.prefix(12)): written after it ended") }
        guard writtenBytes + UInt64(bytes.count) <= totalBytes else {
            throw ArtifactStoreError(.sizeMismatch, "artifact \(digest.hex.prefix(12)): more than the \(totalBytes) bytes declared")
        }
        hasher.update(bytes)
        writtenBytes += UInt64(bytes.count)
        guard !alreadyStored else { return }
        pending.append(contentsOf: bytes)
        while pending.count >= WireFormat.artifactChunkBytes {
            try flush(Array(pending.prefix(WireFormat.artifactChunkBytes)))
            pending.removeFirst(WireFormat.artifactChunkBytes)
        }
    }

    private func flush(_ chunk: [UInt8]) throws {
        try database.connection.execute("""
            INSERT INTO artifact_chunks (hash, chunk, bytes) VALUES ($1, $2, $3)
            ON CONFLICT (hash, chunk) DO UPDATE SET bytes = EXCLUDED.bytes
            """, digest.hex, nextChunk, PostgresBytes(chunk))
        nextChunk += 1
    }

    func commit(kind: String) throws {
        guard !ended else { throw ArtifactStoreError(.storage, "artifact \(digest.hex.prefix(12)): committed after it ended") }
        ended = true
        guard writtenBytes == totalBytes else {
            abandonRows()
            throw ArtifactStoreError(.sizeMismatch, "artifact \(digest.hex.prefix(12)): \(writtenBytes) bytes of the \(totalBytes) declared")
        }
        let hash = hasher.finalize().hex
        guard hash == digest.hex else {
            abandonRows()
            throw ArtifactStoreError(.digestMismatch, "artifact bytes hash to \(hash), not the expected \(digest.hex)")
        }
        guard !alreadyStored else { return }
        if !pending.isEmpty || nextChunk == 0 { try flush(pending) }
        pending = []
        try catalogue(database, digest, kind: kind, size: totalBytes, storage: "chunks")
    }

    func abandon() {
        guard !ended else { return }
        ended = true
        pending = []
        abandonRows()
    }

    private func abandonRows() {
        guard !alreadyStored else { return }
        _ = try? database.connection.execute(
            "DELETE FROM artifact_chunks WHERE hash = $1 AND NOT EXISTS (SELECT 1 FROM artifacts WHERE hash = $1)", digest.hex)
    }
}

/// Reads an artifact of the database by chunk: an `artifact_chunks` row, or a 1 MiB slice of a
/// row stored whole before migration 8.
final class ChunkRowReader: ArtifactReader {
    let database: SweepDatabase
    let digest: ArtifactDigest
    let totalBytes: UInt64
    let whole: Bool

    init(database: SweepDatabase, digest: ArtifactDigest, totalBytes: UInt64, whole: Bool) {
        self.database = database
        self.digest = digest
        self.totalBytes = totalBytes
        self.whole = whole
    }

    func chunk(_ index: UInt32) throws -> [UInt8] {
        let range = ArtifactChunking.range(of: index, totalBytes: totalBytes)
        let rows = whole
            ? try database.connection.query("SELECT substring(bytes FROM $2 FOR $3) FROM artifacts WHERE hash = $1",
                                             digest.hex, Int64(range.lowerBound) + 1, Int64(range.count))
            : try database.connection.query("SELECT bytes FROM artifact_chunks WHERE hash = $1 AND chunk = $2", digest.hex, Int32(index))
        guard let row = rows.first else {
            throw ArtifactStoreError(.missing, "artifact \(digest.hex.prefix(12)): chunk \(index) is not in the database")
        }
        let bytes = try row.decode(0, as: PostgresBytes.self).bytes
        guard UInt64(bytes.count) == UInt64(range.count) else {
            throw ArtifactStoreError(.sizeMismatch, "artifact \(digest.hex.prefix(12)): chunk \(index) holds \(bytes.count) bytes, not \(range.count)")
        }
        return bytes
    }
}
