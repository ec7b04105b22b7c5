/// The artifact uploads a coordinator holds: models workers send (artifact-upload chunks) before
/// their pretrain results, assembled within caps, kept until a result takes them.
///
/// Bounds (docs/protocol.md, "Bad frames"): each upload belongs to the worker whose chunk opened
/// it (another worker's chunk for it is refused); a worker has at most
/// ``maxOpenUploadsPerWorker`` uploads open (in progress or complete and waiting for their result);
/// all open uploads together declare at most ``maxOpenUploadBytes``. Memory follows the bytes
/// received, not the size declared (``ArtifactAssembler``). The digest is not checked here: the
/// store checks it where the bytes are written (PostgreSQL computes the SHA-256).
///
/// Cost: a chunk is O(its bytes) plus O(open uploads) when it opens an upload.
public struct UploadTable: Sendable {
    /// Uploads one worker may have open. A worker uploads a model just before sending its pretrain
    /// result, so it rarely has more than one.
    public static let maxOpenUploadsPerWorker = 8
    /// Declared bytes of all open uploads together (four artifacts of the largest size).
    public static let maxOpenUploadBytes = 4 * WireFormat.maxArtifactBytes

    /// What became of a chunk.
    public enum Outcome: Equatable, Sendable {
        /// Taken; the upload is not complete yet.
        case incomplete
        /// Taken, and the upload is complete: its bytes wait for the result that names them.
        case complete
        /// Refused (a bad frame): why, naming the worker and the limit.
        case refused(String)
    }

    var assembling: [ArtifactDigest: ArtifactAssembler] = [:]
    var complete: [ArtifactDigest: [UInt8]] = [:]
    var owners: [ArtifactDigest: (worker: WorkerID, bytes: UInt64)] = [:]
    /// Bytes declared by the open uploads.
    public private(set) var openBytes: UInt64 = 0

    public init() {}

    /// Uploads open (in progress or complete), of every worker.
    public var openCount: Int { owners.count }

    /// Adds a chunk from `worker`. A first chunk opens an upload (again, if this worker's earlier
    /// one is complete and waiting) only within the caps; a chunk of another worker's upload, or
    /// one that does not fit its upload, is refused, and a refused chunk abandons its upload.
    public mutating func add(_ chunk: Wire.ArtifactChunk, from worker: WorkerID) -> Outcome {
        if let owner = owners[chunk.digest], owner.worker != worker {
            return .refused("artifact chunk from \(worker) for an upload of \(owner.worker)")
        }
        if assembling[chunk.digest] == nil {
            release(chunk.digest)
            let open = owners.values.reduce(0) { $0 + ($1.worker == worker ? 1 : 0) }
            guard open < Self.maxOpenUploadsPerWorker, openBytes + chunk.totalBytes <= Self.maxOpenUploadBytes else {
                return .refused("artifact upload of \(chunk.totalBytes) bytes from \(worker) refused: \(open) open uploads, \(openBytes) bytes held")
            }
            owners[chunk.digest] = (worker, chunk.totalBytes)
            openBytes += chunk.totalBytes
        }
        let completed: [UInt8]?
        do {
            completed = try ArtifactAssembler.accept(chunk, into: &assembling)
        } catch {
            // `accept` abandoned the transfer.
            release(chunk.digest)
            return .refused("artifact chunk: \(error)")
        }
        guard let bytes = completed else { return .incomplete }
        complete[chunk.digest] = bytes
        return .complete
    }

    /// Whether a complete upload of the model with this SHA-256 (64 lower-case hex digits) is held.
    public func hasComplete(_ sha256: String) -> Bool {
        guard let digest = Self.digest(sha256) else { return false }
        return complete[digest] != nil
    }

    /// The bytes of a complete upload, handed over (to the store) and forgotten.
    public mutating func take(_ sha256: String) -> [UInt8]? {
        guard let digest = Self.digest(sha256), let bytes = complete[digest] else { return nil }
        release(digest)
        return bytes
    }

    /// Forgets `worker`'s complete upload of this model: its result did not take it (the cell was
    /// done already, or the result was refused), so it must not hold the caps.
    public mutating func discard(_ sha256: String, of worker: WorkerID) {
        guard let digest = Self.digest(sha256), complete[digest] != nil, owners[digest]?.worker == worker else { return }
        release(digest)
    }

    /// Forgets every upload of a worker that is gone (it uploads again when it resends its result).
    public mutating func drop(of worker: WorkerID) {
        for (digest, owner) in owners where owner.worker == worker { release(digest) }
    }

    mutating func release(_ digest: ArtifactDigest) {
        assembling[digest] = nil
        complete[digest] = nil
        guard let owner = owners.removeValue(forKey: digest) else { return }
        openBytes -= owner.bytes
    }

    /// The digest of exactly 64 lower-case hex digits (the form a result carries and uploads are kept under).
    static func digest(_ sha256: String) -> ArtifactDigest? {
        guard let digest = ArtifactDigest(hex: sha256), digest.hex == sha256 else { return nil }
        return digest
    }
}
