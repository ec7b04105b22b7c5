/// The artifact uploads a coordinator has open: models and command outputs workers send
/// (artifact-upload chunks) before the results that name them, and command logs. The table
/// holds no bytes: each chunk goes on to the store thread, which writes it to the artifact
/// backend as it comes (``WireFormat/artifactWindowChunks`` chunks in flight per upload, confirmed
/// with artifact-stored), so memory does not follow an artifact's size.
///
/// Rules (docs/protocol.md, "Bad frames"): each upload belongs to the worker whose chunk opened
/// it (another worker's chunk for it is refused); its chunks come in index order (a chunk 0
/// starts it again: the worker resends after a reconnect); a worker has at most
/// ``maxOpenUploadsPerWorker`` uploads open (in progress, or complete and waiting for the result
/// that names them). A refused chunk abandons its upload. The digest is checked where the bytes
/// are written (the backend's writer hashes them).
///
/// Cost: a chunk is O(1), plus O(open uploads) when it opens one.
public struct UploadTable: Sendable {
    /// Uploads one worker may have open. A worker uploads a model just before sending its pretrain
    /// result, so it rarely has more than two (the output and the log of a command cell).
    public static let maxOpenUploadsPerWorker = 8

    /// What became of a chunk.
    public enum Outcome: Equatable, Sendable {
        /// Taken: write it (a chunk 0 opens, or opens again, the upload); `complete` when it was the last.
        case taken(complete: Bool)
        /// Refused (a bad frame): why, naming the worker and the rule. The upload is abandoned.
        case refused(String)
    }

    struct Upload: Sendable {
        var worker: WorkerID
        var totalBytes: UInt64
        var count: UInt32
        var next: UInt32
        var isComplete: Bool { next == count }
    }

    var uploads: [ArtifactDigest: Upload] = [:]

    public init() {}

    /// Uploads open (in progress or complete), of every worker.
    public var openCount: Int { uploads.count }

    /// Adds a chunk from `worker` (see the type's rules).
    public mutating func add(_ chunk: Wire.ArtifactChunk, from worker: WorkerID) -> Outcome {
        if let open = uploads[chunk.digest], open.worker != worker {
            return .refused("artifact chunk from \(worker) for an upload of \(open.worker)")
        }
        if chunk.index == 0 {
            uploads[chunk.digest] = nil
            let open = uploads.values.reduce(0) { $0 + ($1.worker == worker ? 1 : 0) }
            guard open < Self.maxOpenUploadsPerWorker else {
                return .refused("artifact upload of \(chunk.totalBytes) bytes from \(worker) refused: \(open) open uploads")
            }
            uploads[chunk.digest] = Upload(worker: worker, totalBytes: chunk.totalBytes, count: chunk.count, next: 1)
            return .taken(complete: chunk.count == 1)
        }
        guard var upload = uploads[chunk.digest] else {
            return .refused("artifact chunk \(chunk.index) from \(worker) for no open upload")
        }
        guard chunk.index == upload.next, chunk.totalBytes == upload.totalBytes else {
            uploads[chunk.digest] = nil
            return .refused("artifact chunk \(chunk.index) from \(worker): expected chunk \(upload.next) of \(upload.count) (chunks come in order)")
        }
        upload.next += 1
        uploads[chunk.digest] = upload
        return .taken(complete: upload.isComplete)
    }

    /// Whether a complete upload of the artifact with this SHA-256 (64 lower-case hex digits) is open.
    public func hasComplete(_ sha256: String) -> Bool {
        guard let digest = Self.digest(sha256) else { return false }
        return uploads[digest]?.isComplete == true
    }

    /// Whether `worker` completed an upload of `digest`; if so it is handed over (to the result
    /// or log that names it) and forgotten.
    public mutating func take(_ digest: ArtifactDigest, of worker: WorkerID) -> Bool {
        guard let upload = uploads[digest], upload.isComplete, upload.worker == worker else { return false }
        uploads[digest] = nil
        return true
    }

    /// ``take(_:of:)`` by the hex SHA-256 a result carries, whoever uploaded it.
    public mutating func take(_ sha256: String) -> Bool {
        guard let digest = Self.digest(sha256), let upload = uploads[digest], upload.isComplete else { return false }
        uploads[digest] = nil
        return true
    }

    /// Forgets `worker`'s complete upload of this artifact: its result did not take it (the cell
    /// was done already, or the result was refused), so it must not hold the caps. Returns the
    /// digest when one was forgotten (its written bytes are then abandoned).
    public mutating func discard(_ sha256: String, of worker: WorkerID) -> ArtifactDigest? {
        guard let digest = Self.digest(sha256), uploads[digest]?.isComplete == true, uploads[digest]?.worker == worker else { return nil }
        uploads[digest] = nil
        return digest
    }

    /// Forgets every upload of a worker that is gone (it uploads again when it resends its
    /// result); returns their digests, whose written bytes are abandoned.
    public mutating func drop(of worker: WorkerID) -> [ArtifactDigest] {
        let gone = uploads.filter { $0.value.worker == worker }.map(\.key)
        for digest in gone { uploads[digest] = nil }
        return gone
    }

    /// The digest of exactly 64 lower-case hex digits (the form a result carries and uploads are kept under).
    static func digest(_ sha256: String) -> ArtifactDigest? {
        guard let digest = ArtifactDigest(hex: sha256), digest.hex == sha256 else { return nil }
        return digest
    }
}

extension UploadTable {
    /// Forgets the upload of `digest`, whoever sent it (its bytes could not be written); whether one was open.
    public mutating func remove(_ digest: ArtifactDigest) -> Bool { uploads.removeValue(forKey: digest) != nil }
}
