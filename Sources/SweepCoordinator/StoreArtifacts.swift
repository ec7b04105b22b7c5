import Logging
package import SweepKit
import SweepStore

/// Artifact work for the store thread (``StoreWriter``), which owns the database connection.
package enum ArtifactJob: @unchecked Sendable {
    /// Write the next chunk of a worker's upload (chunk 0 opens the writer again).
    case chunk(Wire.ArtifactChunk, from: WorkerID)
    /// Forget an upload that no result or log will take (its worker left, or its result was refused).
    case abandon(ArtifactDigest)
    /// Read chunks `first ..< first + count` for a worker that fetches them.
    case fetch(ArtifactDigest, first: UInt32, count: UInt32, for: WorkerID)
    /// A worker could not use the artifact it fetched (its bytes did not hash to the digest):
    /// read the stored bytes through and forget them if they are damaged.
    case verify(ArtifactDigest)
    /// Link a command attempt's log to its cell (the log uploaded, or on the shared folder).
    case commandLog(CellKey, attempt: UInt32, digest: ArtifactDigest, uploaded: Bool, worker: WorkerID)
}

/// What the store thread's artifact work reports to the socket thread.
package enum ArtifactCompletion: @unchecked Sendable {
    /// Chunks `0 ..< next` of a worker's upload are written: its window moves.
    case chunkStored(ArtifactDigest, for: WorkerID, next: UInt32)
    /// A worker's upload could not be written: it is told (artifact-unavailable), and its result is refused.
    case uploadFailed(ArtifactDigest, for: WorkerID, reason: String)
    /// Chunks a worker fetched, or nil with the reason when the artifact cannot be had.
    case chunks(ArtifactDigest, for: WorkerID, [Wire.ArtifactChunk]?, reason: String)
    /// The stored bytes were missing or damaged and are forgotten: the cell that made them runs again.
    case damaged(ArtifactDigest)
}

/// The store thread's side of artifact transfers: the writers of uploads in progress (one per
/// digest, chunks appended as they arrive, committed by the result or log that names them) over
/// the coordinator's backend (``DatabaseArtifacts``: the database's chunk rows, or the shared
/// folder). Memory: the chunks queued (a window per upload), never a whole artifact.
final class StoreArtifacts {
    let backend: DatabaseArtifacts
    let logger: Logger
    private var writers: [ArtifactDigest: any ArtifactWriter] = [:]

    init(backend: DatabaseArtifacts, logger: Logger) {
        self.backend = backend
        self.logger = logger
    }

    func perform(_ job: ArtifactJob, sweepID: Int64) -> [ArtifactCompletion] {
        switch job {
        case .chunk(let chunk, let worker):
            do {
                if chunk.index == 0 {
                    writers.removeValue(forKey: chunk.digest)?.abandon()
                    writers[chunk.digest] = try backend.writer(for: chunk.digest, totalBytes: chunk.totalBytes)
                }
                guard let writer = writers[chunk.digest] else {
                    return [.uploadFailed(chunk.digest, for: worker, reason: "no upload of it is open")]
                }
                try chunk.bytes.withUnsafeBytes { try writer.append($0) }
                return [.chunkStored(chunk.digest, for: worker, next: chunk.index + 1)]
            } catch {
                writers.removeValue(forKey: chunk.digest)?.abandon()
                logger.error("artifact upload \(chunk.digest.hex.prefix(12)) from \(worker) not written: \(error)")
                return [.uploadFailed(chunk.digest, for: worker, reason: "the coordinator could not write it: \(error)")]
            }
        case .abandon(let digest):
            writers.removeValue(forKey: digest)?.abandon()
            return []
        case .fetch(let digest, let first, let count, let worker):
            do {
                guard let reader = try backend.reader(for: digest) else {
                    try? backend.forget(digest)
                    return [.chunks(digest, for: worker, nil, reason: "not stored"), .damaged(digest)]
                }
                let end = min(reader.chunkCount, first &+ count)
                var chunks: [Wire.ArtifactChunk] = []
                for index in first..<max(first, end) {
                    chunks.append(Wire.ArtifactChunk(digest: digest, totalBytes: reader.totalBytes, index: index,
                                                     count: reader.chunkCount, bytes: try reader.chunk(index)))
                }
                return [.chunks(digest, for: worker, chunks, reason: "")]
            } catch let error as ArtifactStoreError where error.code != .storage {
                // Cut short or gone under the coordinator: forgotten, made again.
                try? backend.forget(digest)
                return [.chunks(digest, for: worker, nil, reason: "\(error)"), .damaged(digest)]
            } catch {
                return [.chunks(digest, for: worker, nil, reason: "\(error)")]
            }
        case .verify(let digest):
            guard let reader = (try? backend.reader(for: digest)) ?? nil else { return [] }
            var hasher = ArtifactHasher()
            do {
                for index in 0..<reader.chunkCount { hasher.update(try reader.chunk(index)) }
            } catch {
                try? backend.forget(digest)
                return [.damaged(digest)]
            }
            guard hasher.finalize().hex != digest.hex else { return [] }
            logger.error("artifact \(digest.hex.prefix(12)) in \(backend.location) does not hash to its digest: forgotten, its cell runs again")
            backend.folder?.quarantine(digest)
            try? backend.forget(digest)
            return [.damaged(digest)]
        case .commandLog(let cell, let attempt, let digest, let uploaded, let worker):
            do {
                if uploaded { try commit(digest, kind: "command-log") } else { try backend.register(digest, kind: "command-log") }
                try backend.linkLog(cell: cell.hex, attempt: Int(attempt), artifact: digest.hex, worker: worker.description)
            } catch {
                logger.warning("the log of attempt \(attempt) of cell \(cell.short) was not stored: \(error)")
            }
            return []
        }
    }

    /// Commits the upload of `digest` (the writer checks size and SHA-256).
    /// - Throws: ``ArtifactStoreError`` when no upload of it is open or its bytes do not match.
    func commit(_ digest: ArtifactDigest, kind: String) throws {
        guard let writer = writers.removeValue(forKey: digest) else {
            if try backend.size(of: digest) != nil { return }
            throw ArtifactStoreError(.missing, "the upload of artifact \(digest.hex.prefix(12)) was not written")
        }
        try writer.commit(kind: kind)
    }

    /// Makes sure a pretrain result's artifact is stored: its upload committed, or (a worker on the
    /// shared folder) its file there catalogued after checking presence and size.
    func settle(_ digest: ArtifactDigest, uploaded: Bool, kind: String) throws {
        if uploaded { return try commit(digest, kind: kind) }
        try backend.register(digest, kind: kind)
    }
}
