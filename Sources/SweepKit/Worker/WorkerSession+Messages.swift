import NoisyCore
import StudyData

extension WorkerSession {
    mutating func handle(_ message: WireMessage, now: SchedulerTime) {
        switch message {
        case .welcome(let welcome):
            welcomed = true
            reconnectDelay = configuration.reconnectMinimumMilliseconds
            heartbeat = Int64(welcome.heartbeatIntervalMilliseconds)
            liveness = Int64(welcome.liveness)
            if sessionID != welcome.session { outbox.append(.note(.welcomed(session: welcome.session))) }
            sessionID = welcome.session
            if !draining {
                let free = configuration.slots - inFlight.count
                if free > 0 { send(.credit(Wire.Credit(slots: UInt32(free))), now: now) }
                creditOwed = 0
                creditAfterUpload.removeAll()
            }
            resendUnacknowledged(now: now)
        case .reregister:
            sendReady(now: now)
        case .heartbeat:
            break
        case .assign(let batch):
            for assign in batch.assignments { accept(assign, now: now) }
        case .ack(let ack):
            for key in ack.cells { unacked[key] = nil }
        case .cancel(let cancel):
            withdrawWaiting(cancel, now: now)
        case .artifact, .artifactStored:
            outbox.append(.artifactTransfer(message))
        case .artifactUnavailable(let unavailable):
            outbox.append(.artifactTransfer(message))
            failParked(unavailable.digest, message: "model \(unavailable.digest.hex.prefix(12)) unavailable: \(unavailable.reason)", now: now)
        case .artifactRequest(let request):
            if held.contains(request.digest) {
                outbox.append(.uploadArtifact(request.digest, answering: true, then: nil))
            } else {
                send(.artifactUnavailable(Wire.ArtifactUnavailable(digest: request.digest, reason: "not in this worker's cache")), now: now)
            }
        case .drain:
            beginDrain(reason: "coordinator drain", now: now)
        case .shutdown(let shutdown):
            outbox.append(.note(.shutdown(reason: shutdown.reason)))
            isFinished = true
        case .ready, .credit, .result, .failure, .artifactUpload, .accepted, .artifactFetch, .commandLog:
            outbox.append(.note(.droppedWrongDirection(message.kind)))
        }
    }

    mutating func accept(_ assign: Wire.Assign, now: SchedulerTime) {
        if draining {
            sendFailure(assign, reason: .cancelled, retryable: true, message: "worker is draining", now: now)
            return
        }
        if let known = inFlight[assign.cell], known.lease == assign.lease { return }
        acceptedLeases.append(assign.lease)
        let spec: CellSpec
        do {
            spec = try assign.spec()
        } catch {
            creditOwed += 1
            sendFailure(assign, reason: .badSpec, retryable: false, message: "\(error)", now: now)
            return
        }
        inFlight[assign.cell] = assign
        let model = assign.requiredArtifacts.first
        let job = WorkerJob(assign: assign, spec: spec, model: model)
        if let model, !held.contains(model) {
            if parked[model] == nil { send(.artifactRequest(Wire.ArtifactRequest(digest: model)), now: now) }
            parked[model, default: []].append(job)
            return
        }
        acceptedJobs.append(job)
    }

    /// CANCEL withdraws an attempt that has not started (a running cell cannot be interrupted).
    mutating func withdrawWaiting(_ cancel: Wire.Cancel, now: SchedulerTime) {
        guard let index = waiting[waitingHead...].firstIndex(where: { $0.assign.cell == cancel.cell && $0.assign.lease == cancel.lease })
        else { return }
        let job = waiting.remove(at: index)
        inFlight[job.assign.cell] = nil
        creditOwed += 1
        sendFailure(job.assign, reason: .cancelled, retryable: true, message: "cancelled before it started", now: now)
    }

    mutating func failParked(_ digest: ArtifactDigest, message: String, now: SchedulerTime) {
        for job in parked.removeValue(forKey: digest) ?? [] {
            inFlight[job.assign.cell] = nil
            creditOwed += 1
            sendFailure(job.assign, reason: .artifactUnavailable, retryable: true, message: message, now: now)
        }
    }

    mutating func resendUnacknowledged(now: SchedulerTime) {
        guard !unacked.isEmpty else { return }
        // Welcomes that queued up while this process was stopped arrive together: one resend.
        if sessionID == lastResendSession, let last = lastResendAt, now - last < heartbeat { return }
        lastResendAt = now
        lastResendSession = sessionID
        outbox.append(.note(.resending(count: unacked.count)))
        // A result naming an artifact goes after its upload, in a message of its own; the rest in
        // as few messages as the caps allow (the round's finished results are among them).
        finishedResults = []
        for entry in unacked.values {
            if let digest = entry.artifact { sendResult(entry.element, artifact: digest, now: now) } else { finishedResults.append(entry.element) }
        }
        sendFinishedResults(now: now)
    }
}
