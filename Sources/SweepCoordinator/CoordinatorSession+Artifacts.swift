import SweepKit

extension CoordinatorSession {
    /// An artifact message from a worker (docs/protocol.md, "Artifacts"): uploads go chunk by
    /// chunk to the store thread, which confirms each (artifact-stored: the worker's window);
    /// fetches are read there a window at a time; a command log is linked to its cell.
    mutating func artifactMessage(_ message: WireMessage, from worker: WorkerID, now: SchedulerTime) {
        perform(scheduler.heard(from: worker, now: now), now: now)
        guard scheduler.isAlive(worker) else { return }
        switch message {
        case .artifactRequest(let request):
            outbox.append(.store(.artifact(.fetch(request.digest, first: 0, count: WireFormat.artifactWindowChunks, for: worker))))
        case .artifactFetch(let fetch):
            outbox.append(.store(.artifact(.fetch(fetch.digest, first: fetch.first, count: fetch.count, for: worker))))
        case .artifactUpload(let chunk):
            switch uploads.add(chunk, from: worker) {
            case .taken(let complete):
                outbox.append(.store(.artifact(.chunk(chunk, from: worker))))
                // A complete model makes its sender a holder, for locality.
                if complete { perform(scheduler.workerHolds(worker, artifact: chunk.digest.hex, now: now), now: now) }
            case .refused(let reason):
                badFrame(reason)
                outbox.append(.store(.artifact(.abandon(chunk.digest))))
                outbox.append(.send(.artifactUnavailable(Wire.ArtifactUnavailable(digest: chunk.digest, reason: "upload refused: \(reason)")), to: worker))
            }
        case .artifactUnavailable(let unavailable):
            // A worker could not use what it fetched: the stored bytes are read through and
            // forgotten if damaged (their cell then runs again).
            outbox.append(.store(.artifact(.verify(unavailable.digest))))
        case .commandLog(let log):
            guard scheduler.index(of: log.cell) != nil else { return badFrame("command-log for a cell not in the sweep") }
            let uploaded = uploads.take(log.digest, of: worker)
            outbox.append(.store(.artifact(.commandLog(log.cell, attempt: log.attempt, digest: log.digest, uploaded: uploaded, worker: worker))))
        default:
            break
        }
    }

    /// What the store thread's artifact work came to.
    mutating func artifactCompleted(_ completion: ArtifactCompletion, now: SchedulerTime) {
        switch completion {
        case .chunkStored(let digest, let worker, let next):
            outbox.append(.send(.artifactStored(Wire.ArtifactStored(digest: digest, next: next)), to: worker))
        case .uploadFailed(let digest, let worker, let reason):
            _ = uploads.remove(digest)
            outbox.append(.send(.artifactUnavailable(Wire.ArtifactUnavailable(digest: digest, reason: reason)), to: worker))
        case .chunks(let digest, let worker, let chunks, let reason):
            guard let chunks else {
                outbox.append(.send(.artifactUnavailable(Wire.ArtifactUnavailable(digest: digest, reason: reason)), to: worker))
                return
            }
            for chunk in chunks { outbox.append(.send(.artifact(chunk), to: worker)) }
        case .damaged(let digest):
            // A model a done pre-training made is gone: that pre-training runs again.
            perform(scheduler.artifactMissing(digest.hex, now: now), now: now)
        }
    }

    /// A worker is gone: its open uploads are forgotten (it uploads again when it resends its result).
    mutating func abandonUploads(of worker: WorkerID) {
        for digest in uploads.drop(of: worker) { outbox.append(.store(.artifact(.abandon(digest)))) }
    }
}
