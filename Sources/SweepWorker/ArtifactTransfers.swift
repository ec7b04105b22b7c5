import SweepKit

/// The worker's artifact transfers, on the socket thread: downloads streamed into the
/// ``ArtifactCache`` as their chunks arrive, and uploads read from it a window at a time, so
/// the worker never holds an artifact in memory (docs/protocol.md, "Artifacts").
///
/// - A download begins with the session's artifact-request (the coordinator sends the first
///   ``WireFormat/artifactWindowChunks`` chunks); each chunk that arrives is appended to the
///   store's writer and the chunk a window further on is fetched (artifact-fetch). The last one
///   commits the writer, which checks the SHA-256: the session hears ``Ended/stored`` or
///   ``Ended/failed``.
/// - An upload sends chunks while fewer than a window are unconfirmed; each artifact-stored moves
///   the window; after the last chunk the frames waiting for it (the result naming the artifact)
///   go. A worker on the shared folder uploads nothing: the frames go at once.
/// - Artifact-unavailable ends a transfer of that digest: a download is abandoned, an upload's
///   waiting frames go (the coordinator then refuses the result and the cell runs again).
final class ArtifactTransfers {
    let cache: ArtifactCache
    let send: (WireMessage) -> Void
    let sendFrame: ([UInt8]) -> Void

    struct Upload {
        var reader: any ArtifactReader
        var next: UInt32 = 0
        var confirmed: UInt32 = 0
        var frames: [[UInt8]]
    }

    struct Download {
        var writer: any ArtifactWriter
        var count: UInt32
        var next: UInt32
    }

    var uploads: [ArtifactDigest: Upload] = [:]
    var downloads: [ArtifactDigest: Download] = [:]
    /// Uploads that ended (their waiting frames sent) since ``takeEndedUploads()``: the session
    /// grants their attempts' credit (``WorkerSession/uploadEnded(_:now:)``).
    private var endedUploads: [ArtifactDigest] = []

    /// The uploads that ended since the last call.
    func takeEndedUploads() -> [ArtifactDigest] {
        defer { endedUploads.removeAll() }
        return endedUploads
    }

    /// How a download ended, for the session.
    enum Ended {
        case stored(ArtifactDigest)
        case failed(ArtifactDigest, String)
    }

    init(cache: ArtifactCache, send: @escaping (WireMessage) -> Void, sendFrame: @escaping ([UInt8]) -> Void) {
        self.cache = cache
        self.send = send
        self.sendFrame = sendFrame
    }

    /// Starts uploading `digest` (then sends `frame`); false when the store cannot give it (the
    /// frame, if any, is sent anyway: the coordinator refuses a result whose model did not come).
    func upload(_ digest: ArtifactDigest, then frame: [UInt8]?) -> Bool {
        if cache.isShared {
            if let frame { sendFrame(frame) }
            endedUploads.append(digest)
            return cache.store.contains(digest)
        }
        guard let reader = (try? cache.store.reader(for: digest)) ?? nil else {
            if let frame { sendFrame(frame) }
            endedUploads.append(digest)
            return false
        }
        // An upload of the same artifact in progress starts again from chunk 0 (so does the
        // coordinator's table); frames waiting for it still wait.
        let waiting = uploads[digest]?.frames ?? []
        uploads[digest] = Upload(reader: reader, frames: waiting + (frame.map { [$0] } ?? []))
        pump(digest)
        return true
    }

    /// A message of a transfer (``WorkerAction/artifactTransfer(_:)``); a download's end, if this was it.
    func handle(_ message: WireMessage) -> Ended? {
        switch message {
        case .artifactStored(let stored):
            guard var upload = uploads[stored.digest] else { return nil }
            upload.confirmed = max(upload.confirmed, stored.next)
            uploads[stored.digest] = upload
            pump(stored.digest)
            return nil
        case .artifactUnavailable(let unavailable):
            if let upload = uploads.removeValue(forKey: unavailable.digest) {
                for frame in upload.frames { sendFrame(frame) }
                endedUploads.append(unavailable.digest)
            }
            downloads.removeValue(forKey: unavailable.digest)?.writer.abandon()
            return nil
        case .artifact(let chunk):
            return receive(chunk)
        default:
            return nil
        }
    }

    /// The connection is gone: uploads start again with the resend after the next welcome;
    /// downloads are abandoned (their jobs wait parked for the coordinator's next word).
    func reset() {
        uploads.removeAll()
        for download in downloads.values { download.writer.abandon() }
        downloads.removeAll()
    }

    /// Sends an upload's chunks up to a window beyond the confirmed ones; after the last, its frames.
    private func pump(_ digest: ArtifactDigest) {
        guard var upload = uploads[digest] else { return }
        let count = upload.reader.chunkCount
        while upload.next < count, upload.next < upload.confirmed + WireFormat.artifactWindowChunks {
            let chunk: [UInt8]
            do {
                chunk = try upload.reader.chunk(upload.next)
            } catch {
                // The stored file went bad under the upload: the result goes alone and is refused.
                uploads[digest] = nil
                for frame in upload.frames { sendFrame(frame) }
                endedUploads.append(digest)
                return
            }
            send(.artifactUpload(Wire.ArtifactChunk(digest: digest, totalBytes: upload.reader.totalBytes, index: upload.next,
                                                    count: count, bytes: chunk)))
            upload.next += 1
        }
        if upload.next == count {
            uploads[digest] = nil
            for frame in upload.frames { sendFrame(frame) }
            endedUploads.append(digest)
        } else {
            uploads[digest] = upload
        }
    }

    private func receive(_ chunk: Wire.ArtifactChunk) -> Ended? {
        let digest = chunk.digest
        if chunk.index == 0 {
            downloads.removeValue(forKey: digest)?.writer.abandon()
            do {
                downloads[digest] = Download(writer: try cache.store.writer(for: digest, totalBytes: chunk.totalBytes),
                                             count: chunk.count, next: 0)
            } catch {
                return .failed(digest, "model \(digest.hex.prefix(12)): \(error)")
            }
        }
        guard var download = downloads[digest] else { return nil }
        guard chunk.index == download.next else {
            downloads[digest] = nil
            download.writer.abandon()
            return .failed(digest, "model \(digest.hex.prefix(12)): chunk \(chunk.index) came where chunk \(download.next) was due")
        }
        do {
            try chunk.bytes.withUnsafeBytes { try download.writer.append($0) }
        } catch {
            downloads[digest] = nil
            download.writer.abandon()
            return .failed(digest, "model \(digest.hex.prefix(12)): \(error)")
        }
        download.next += 1
        let ahead = chunk.index + WireFormat.artifactWindowChunks
        if ahead < download.count { send(.artifactFetch(Wire.ArtifactFetch(digest: digest, first: ahead, count: 1))) }
        guard download.next == download.count else {
            downloads[digest] = download
            return nil
        }
        downloads[digest] = nil
        do {
            try download.writer.commit(kind: "model")
            return .stored(digest)
        } catch {
            return .failed(digest, "model \(digest.hex.prefix(12)): \(error)")
        }
    }
}
