public import NoisyCore

extension Scheduler {
    /// A worker sent the result of `cell`, made under `lease`; its `artifactSHA256` names the model
    /// a pretrain cell produced.
    ///
    /// Returns `.persistResult`, carrying the result, when it is the one to write (then report the commit with
    /// ``committed(_:now:)``), `.ack` at once when the cell is already done, nothing when another
    /// result of the cell is being committed (this one is acknowledged after that commit),
    /// `.unknownWorker` for an unregistered sender and `.rejected` for a cell not in the sweep or
    /// a lease this scheduler never issued for that cell to that worker (see "Provenance" on
    /// ``Scheduler``). A leased attempt that this result supersedes is cancelled.
    public mutating func result(_ id: WorkerID, cell key: CellKey, lease: LeaseID, result: CellResult,
                                now: SchedulerTime) -> [SchedulerAction] {
        guard let w = workerIndex[id] else { return drainOutbox() + [.unknownWorker(worker: id)] }
        workers[w]!.lastSeen = max(workers[w]!.lastSeen, now)
        guard let c = cellIndex[key] else {
            outbox.append(.rejected(worker: id, cell: key, reason: "no such cell in this sweep"))
            return drainOutbox()
        }
        guard wasIssued(lease, cell: c, to: id, now: now) else {
            outbox.append(.rejected(worker: id, cell: key, reason: "lease \(lease) was never issued for this cell to \(id)"))
            return drainOutbox()
        }
        switch states[Int(c)] {
        case .done:
            outbox.append(.ack(worker: id, cell: key, lease: lease))
        case .committing:
            // Once per (worker, lease), and a bounded number of senders: a worker repeating itself
            // cannot grow this list.
            var waiters = ackWaiters[c] ?? []
            if waiters.count < 16, !waiters.contains(where: { $0.0 == id && $0.1 == lease }) {
                waiters.append((id, lease))
                ackWaiters[c] = waiters
            }
        case .blocked, .queued, .leased, .failed:
            let running = currentLease[Int(c)]
            if running != 0 {
                if running != lease, let record = leases[running], let holder = workers[record.worker] {
                    outbox.append(.cancel(worker: holder.id, cell: key, lease: running))
                }
                endLease(running)
            }
            if states[Int(c)] == .failed {
                // A late success beats a failure; dependents that failed only for it run after all.
                lastErrors[c] = nil
                failedByDependency.remove(c)
            }
            setState(c, .committing)
            suspect[Int(c)] = false
            ackWaiters[c] = [(id, lease)]
            if let artifact = result.artifactSHA256, isPretrain[Int(c)] { recordArtifact(artifact, of: c) }
            learnLocality(of: c, worker: w)
            outbox.append(.persistResult(worker: id, cell: key, lease: lease, index: Int(c), result: result))
        }
        return drainOutbox()
    }

    /// The driver committed these results: they are done, their senders are acknowledged, and
    /// evaluate cells whose pre-training is now done and available become ready. Keys not
    /// committing are ignored (a commit reported twice changes nothing).
    public mutating func committed(_ cells: [CellKey], now: SchedulerTime) -> [SchedulerAction] {
        for key in cells {
            guard let c = cellIndex[key], states[Int(c)] == .committing else { continue }
            setState(c, .done)
            for (worker, lease) in ackWaiters.removeValue(forKey: c) ?? [] {
                outbox.append(.ack(worker: worker, cell: key, lease: lease))
            }
            if dependents[c] != nil, isUsable(c) { release(dependentsOf: c) }
        }
        return drainOutbox()
    }

    /// The driver lost these results before their commit (its buffer was dropped): they are queued
    /// again without counting an attempt, and nobody is acknowledged.
    public mutating func resultsLost(_ cells: [CellKey], now: SchedulerTime) -> [SchedulerAction] {
        for key in cells {
            guard let c = cellIndex[key], states[Int(c)] == .committing else { continue }
            ackWaiters[c] = nil
            setState(c, .queued)
            enqueue(c)
            outbox.append(.cellRequeued(cell: key, attempts: Int(attempts[Int(c)]), reason: "result lost before commit"))
        }
        return drainOutbox()
    }

    /// A worker reports that `cell` failed under `lease`.
    ///
    /// `retryable` errors (a crash, an I/O error) are requeued until `maxAttempts`; others
    /// (NaN/Inf, a wrong data checksum: they would fail again the same way) fail the cell at once.
    /// A failure under a lease that is no longer the cell's current one is stale and ignored.
    /// `countsAttempt: false` requeues without charging (the cell was not at fault, e.g. the
    /// model it needs is missing from the store).
    public mutating func failure(_ id: WorkerID, cell key: CellKey, lease: LeaseID, retryable: Bool, message: String,
                                 countsAttempt: Bool = true, now: SchedulerTime) -> [SchedulerAction] {
        guard let w = workerIndex[id] else { return drainOutbox() + [.unknownWorker(worker: id)] }
        workers[w]!.lastSeen = max(workers[w]!.lastSeen, now)
        guard let c = cellIndex[key] else {
            outbox.append(.rejected(worker: id, cell: key, reason: "no such cell in this sweep"))
            return drainOutbox()
        }
        guard states[Int(c)] == .leased, currentLease[Int(c)] == lease, leases[lease]?.worker == w else {
            return drainOutbox()
        }
        endLease(lease)
        lastErrors[c] = message
        if !countsAttempt {
            if attempts[Int(c)] > 0 { attempts[Int(c)] -= 1 }
            requeueOrFail(c, reason: message)
        } else if retryable {
            requeueOrFail(c, reason: message)
        } else {
            fail(c, error: message)
        }
        return drainOutbox()
    }

    /// A result under `lease` for `cell` failed the checks at the door (a value out of its
    /// domain, a field missing, a model that did not arrive): it is not stored, the sender is
    /// acknowledged (it should not send it again), and if `lease` is the cell's current lease the
    /// attempt counts as a retryable failure with `reason`. A result under a lease never issued
    /// for the cell to that worker is `.rejected` instead.
    public mutating func invalidResult(_ id: WorkerID, cell key: CellKey, lease: LeaseID, reason: String,
                                       now: SchedulerTime) -> [SchedulerAction] {
        guard let w = workerIndex[id] else { return drainOutbox() + [.unknownWorker(worker: id)] }
        workers[w]!.lastSeen = max(workers[w]!.lastSeen, now)
        guard let c = cellIndex[key], wasIssued(lease, cell: c, to: id, now: now) else {
            outbox.append(.rejected(worker: id, cell: key, reason: cellIndex[key] == nil ? "no such cell in this sweep"
                                    : "lease \(lease) was never issued for this cell to \(id)"))
            return drainOutbox()
        }
        outbox.append(.ack(worker: id, cell: key, lease: lease))
        if states[Int(c)] == .leased, currentLease[Int(c)] == lease, leases[lease]?.worker == w {
            endLease(lease)
            lastErrors[c] = reason
            requeueOrFail(c, reason: reason)
        }
        return drainOutbox()
    }

    /// The store does not have this artifact (a worker asked for it and none was found): the done
    /// pre-trainings that produced it run again (charged as any attempt), and their dependents
    /// wait for the new model instead of failing for want of it.
    public mutating func artifactMissing(_ sha256: String, now: SchedulerTime) -> [SchedulerAction] {
        guard let t = tokenIDs[sha256] else { return drainOutbox() }
        availableArtifacts.remove(t)
        for p in producers[t] ?? [] where states[Int(p)] == .done {
            setState(p, .queued)
            lastErrors[p] = "its model \(sha256.prefix(12)) is missing from the store"
            enqueue(p)
            outbox.append(.cellRequeued(cell: keys[Int(p)], attempts: Int(attempts[Int(p)]),
                                        reason: "pretrain cell queued again: \(lastErrors[p]!)"))
            for d in dependents[p] ?? [] where states[Int(d)] == .queued { setState(d, .blocked) }
        }
        return drainOutbox()
    }

    /// An artifact is stored and can be fetched by any worker: evaluate cells waiting for it
    /// become ready.
    public mutating func artifactAvailable(_ sha256: String, now: SchedulerTime) -> [SchedulerAction] {
        let t = token(sha256)
        guard availableArtifacts.insert(t).inserted else { return drainOutbox() }
        for p in producers[t] ?? [] where states[Int(p)] == .done {
            release(dependentsOf: p)
        }
        return drainOutbox()
    }

    // MARK: Internals

    /// Whether `lease` may carry a result of cell `c` from `id`: issued by this scheduler for `c`
    /// to `id`, or older than this scheduler's first lease and persisted by a predecessor for `c`
    /// to `id`, unexpired (without persisted leases: within the predecessor window).
    func wasIssued(_ lease: LeaseID, cell c: Int32, to id: WorkerID, now: SchedulerTime) -> Bool {
        guard lease >= firstLeaseID else {
            guard let predecessorLeases else { return now - (startedAt ?? now) <= configuration.predecessorResultWindow }
            guard let record = predecessorLeases[lease] else { return false }
            return record.cell == c && record.worker == id && now < record.expiresAt
        }
        let i = Int(lease - firstLeaseID)
        guard i < issuedCell.count, issuedCell[i] == c, let name = workerNames[id] else { return false }
        return issuedTo[i] == name
    }

    /// Makes the blocked (or dependency-failed) dependents of a done, usable pretrain cell ready.
    mutating func release(dependentsOf p: Int32) {
        for d in dependents[p] ?? [] where !heldElsewhere.contains(d) {
            switch states[Int(d)] {
            case .blocked:
                setState(d, .queued)
                enqueue(d)
            case .failed where failedByDependency.contains(d):
                failedByDependency.remove(d)
                lastErrors[d] = nil
                setState(d, .queued)
                enqueue(d)
                outbox.append(.cellRequeued(cell: keys[Int(d)], attempts: Int(attempts[Int(d)]), reason: "dependency \(keys[Int(p)].short) succeeded after all"))
            default: break
            }
        }
    }

    /// The worker that ran a cell now holds its inputs (model, extracted features, data).
    mutating func learnLocality(of c: Int32, worker w: Int) {
        if let artifact = artifactOf[c] { hold(artifact, worker: w, feature: false) }
        let (feature, plain) = localityTokens(c)
        if feature >= 0 { hold(feature, worker: w, feature: true) }
        if plain >= 0 { hold(plain, worker: w, feature: false) }
    }
}
