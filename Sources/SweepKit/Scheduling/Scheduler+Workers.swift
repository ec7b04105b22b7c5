extension Scheduler {
    /// A worker registered (READY): its slots, the artifacts it already holds, and the leases it is
    /// still running if it re-registers after a reconnect.
    ///
    /// A worker already known keeps the listed leases that are still its own; its other leases are
    /// requeued without counting an attempt (the connection failed, not the cell). Credit starts
    /// at zero: a worker gets cells only for the CREDIT it sends (a peer that registers and
    /// never asks gets nothing). `capabilities` (READY's) say whether it runs command cells and
    /// with which tags (``Wire/Ready/commandProfile(of:)``).
    public mutating func workerReady(_ id: WorkerID, slots: Int, artifacts: [String] = [], running: [LeaseID] = [],
                                     capabilities: [String] = [], now: SchedulerTime) -> [SchedulerAction] {
        // The wire already refuses more than `maxSlots`; capped here too, so no caller can make a
        // worker hold more leases than that.
        let slots = min(Int(WireFormat.maxSlots), max(0, slots))
        if startedAt == nil { startedAt = now }
        let w: Int
        if let known = workerIndex[id] {
            w = known
            let keep = Set(running)
            for lease in workers[w]!.leases.sorted() where !keep.contains(lease) {
                returnLease(lease, reason: "worker \(id) re-registered without it", countsAttempt: false)
            }
            workers[w]!.slots = slots
            workers[w]!.lastSeen = now
        } else {
            let record = WorkerRecord(id: id, slots: slots, credit: 0, lastSeen: now, lastSent: now)
            if let free = freeWorkerSlots.popLast() {
                w = free
                workers[w] = record
            } else {
                w = workers.count
                workers.append(record)
            }
            workerIndex[id] = w
            aliveWorkerCount += 1
        }
        workers[w]!.credit = 0
        (workers[w]!.runsCommands, workers[w]!.tags) = Wire.Ready.commandProfile(of: capabilities)
        for sha in artifacts { hold(token(sha), worker: w, feature: false) }
        return drainOutbox()
    }

    /// Any message from a worker: refreshes its liveness. For an unknown worker, asks it to
    /// register again (and the message is not to be acted on).
    public mutating func heard(from id: WorkerID, now: SchedulerTime) -> [SchedulerAction] {
        guard let w = workerIndex[id] else { return drainOutbox() + [.unknownWorker(worker: id)] }
        workers[w]!.lastSeen = max(workers[w]!.lastSeen, now)
        return drainOutbox()
    }

    /// The worker grants `amount` more assignments (slots that became free). Credit never exceeds
    /// its slots minus the leases it holds, whatever it sends.
    public mutating func credit(_ id: WorkerID, _ amount: Int, now: SchedulerTime) -> [SchedulerAction] {
        let actions = heard(from: id, now: now)
        guard let w = workerIndex[id], amount > 0 else { return actions }
        let cap = max(0, workers[w]!.slots - workers[w]!.leases.count)
        workers[w]!.credit = min(cap, workers[w]!.credit + amount)
        return actions
    }

    /// The worker tells it now holds an artifact (it fetched or produced it).
    public mutating func workerHolds(_ id: WorkerID, artifact sha: String, now: SchedulerTime) -> [SchedulerAction] {
        let actions = heard(from: id, now: now)
        guard let w = workerIndex[id] else { return actions }
        hold(token(sha), worker: w, feature: false)
        return actions
    }

    /// The worker shows it has these assignments (ACCEPTED): from now on, losing the worker
    /// may charge them (see "Guilt" on ``Scheduler``). Leases not its own are ignored.
    public mutating func accepted(_ id: WorkerID, leases accepted: [LeaseID], now: SchedulerTime) -> [SchedulerAction] {
        let actions = heard(from: id, now: now)
        guard let w = workerIndex[id] else { return actions }
        for lease in accepted where leases[lease]?.worker == w { leases[lease]!.accepted = true }
        return actions
    }

    /// The worker leaves (drain, shutdown): its unfinished cells are requeued without counting an
    /// attempt, and it is forgotten.
    ///
    /// `reason` is the worker's own (its SHUTDOWN's); the `.workerLeft` action carries it.
    public mutating func workerLeft(_ id: WorkerID, reason: String = "", now: SchedulerTime) -> [SchedulerAction] {
        guard let w = workerIndex[id] else { return drainOutbox() }
        removeWorker(w, reason: reason.isEmpty ? "worker \(id) left" : "worker \(id) left: \(reason)", crashed: false)
        return drainOutbox()
    }

    /// Sending to the worker failed because its connection is gone (the socket reports it
    /// unreachable). Unreachable-worker policy: a vanished connection is a crash until shown
    /// otherwise, as when liveness declares a worker dead, so its cells are charged by guilt
    /// (``workerLost(_:reason:now:)``). Nothing for a worker not registered (it left already).
    public mutating func connectionGone(_ id: WorkerID, now: SchedulerTime) -> [SchedulerAction] {
        workerLost(id, reason: "crashed: its connection is gone", now: now)
    }

    /// The worker is gone without a goodbye (its connection vanished, or the driver knows its
    /// process died): as a silent worker at ``tick(now:)``, its cells are charged by guilt (see
    /// ``Scheduler``), and it is forgotten. Nothing for an unknown worker.
    public mutating func workerLost(_ id: WorkerID, reason: String, now: SchedulerTime) -> [SchedulerAction] {
        guard let w = workerIndex[id] else { return drainOutbox() }
        removeWorker(w, reason: "worker \(id) lost: \(reason)", crashed: true)
        return drainOutbox()
    }

    /// Time passes: declares silent workers dead (their cells charged by guilt, see ``Scheduler``),
    /// expires leases over ``SchedulerConfiguration/maxLeaseDuration``, sends heartbeats that are
    /// due, and dispatches.
    public mutating func tick(now: SchedulerTime) -> [SchedulerAction] {
        if startedAt == nil { startedAt = now }
        let deadAfter = configuration.deadAfter
        for w in workers.indices {
            guard let worker = workers[w] else { continue }
            let silence = now - worker.lastSeen
            if silence > deadAfter {
                removeWorker(w, reason: "worker \(worker.id) lost: silent for \(silence) ms", crashed: true)
            }
        }
        if let limit = configuration.maxLeaseDuration {
            let expired = leases.filter { now - $0.value.issuedAt >= limit }.keys.sorted()
            for id in expired {
                let record = leases[id]!
                outbox.append(.cancel(worker: workers[record.worker]!.id, cell: keys[Int(record.cell)], lease: id))
                // Charged only if the worker had the assignment (a lost ASSIGN is nobody's fault).
                returnLease(id, reason: "lease \(id) expired after \(limit) ms", countsAttempt: record.accepted)
            }
        }
        for w in workers.indices {
            guard let worker = workers[w], now - worker.lastSent >= configuration.heartbeatInterval else { continue }
            outbox.append(.heartbeat(worker: worker.id))
            workers[w]!.lastSent = now
        }
        return dispatch(now: now)
    }

    // MARK: Internals

    mutating func hold(_ token: Int32, worker w: Int, feature: Bool) {
        guard token >= 0, !workers[w]!.held.contains(token) else { return }
        workers[w]!.held.insert(token)
        if feature { workers[w]!.featureTokens.append(token) } else { workers[w]!.plainTokens.append(token) }
    }

    /// Forgets a worker and returns its leases. For a crash (`crashed`), a lone accepted lease is
    /// charged; several leases are all uncharged and their cells become suspects (each runs alone
    /// next); a lone lease never accepted is charged only at its ``Scheduler/unconfirmedLossLimit``-th
    /// such loss.
    mutating func removeWorker(_ w: Int, reason: String, crashed: Bool) {
        let worker = workers[w]!
        let held = worker.leases.sorted()
        for lease in held {
            guard crashed, let record = leases[lease] else {
                returnLease(lease, reason: reason, countsAttempt: false)
                continue
            }
            let c = Int(record.cell)
            if held.count > 1 {
                if states[c] == .leased { suspect[c] = true }
                returnLease(lease, reason: "\(reason), holding \(held.count) cells: each runs alone next, and only one "
                            + "that fails alone is charged", countsAttempt: false)
            } else if record.accepted {
                returnLease(lease, reason: reason, countsAttempt: true)
            } else {
                unconfirmedLosses[c] &+= 1
                let charged = Int(unconfirmedLosses[c]) >= Self.unconfirmedLossLimit
                if charged { unconfirmedLosses[c] = 0 }
                returnLease(lease, reason: reason + (charged ? "" : " before it accepted the cell (not charged)"),
                            countsAttempt: charged)
            }
        }
        workers[w] = nil
        freeWorkerSlots.append(w)
        workerIndex[worker.id] = nil
        aliveWorkerCount -= 1
        outbox.append(crashed ? .workerLost(worker: worker.id, reason: reason) : .workerLeft(worker: worker.id, reason: reason))
    }

    /// Ends a lease.
    mutating func endLease(_ id: LeaseID) {
        guard let record = leases.removeValue(forKey: id) else { return }
        workers[record.worker]?.leases.remove(id)
        if record.isolated { workers[record.worker]?.isolating = false }
        if currentLease[Int(record.cell)] == id { currentLease[Int(record.cell)] = 0 }
    }

    /// Ends a lease whose attempt did not finish and puts its cell back in the queue, or fails it
    /// if that was its last attempt.
    mutating func returnLease(_ id: LeaseID, reason: String, countsAttempt: Bool) {
        guard let record = leases[id] else { return }
        endLease(id)
        let c = record.cell
        guard states[Int(c)] == .leased else { return }
        lastErrors[c] = reason
        if !countsAttempt, attempts[Int(c)] > 0 { attempts[Int(c)] -= 1 }
        requeueOrFail(c, reason: reason)
    }

    mutating func requeueOrFail(_ c: Int32, reason: String) {
        if Int(attempts[Int(c)]) >= configuration.maxAttempts {
            fail(c, error: reason)
        } else {
            let d = dependency[Int(c)]
            if d >= 0, !(states[Int(d)] == .done && isUsable(d)) {
                // Its model is gone meanwhile (its pre-training runs again): it waits for it.
                setState(c, .blocked)
            } else {
                setState(c, .queued)
                enqueue(c)
            }
            outbox.append(.cellRequeued(cell: keys[Int(c)], attempts: Int(attempts[Int(c)]), reason: reason))
        }
    }

    /// Fails a cell for good, and with it every dependent that has not run.
    mutating func fail(_ c: Int32, error: String) {
        setState(c, .failed)
        lastErrors[c] = error
        outbox.append(.cellFailed(cell: keys[Int(c)], attempts: Int(attempts[Int(c)]), error: error))
        for d in dependents[c] ?? [] where states[Int(d)] == .blocked || states[Int(d)] == .queued {
            setState(d, .failed)
            failedByDependency.insert(d)
            lastErrors[d] = dependencyFailure(c)
            outbox.append(.cellFailed(cell: keys[Int(d)], attempts: Int(attempts[Int(d)]), error: lastErrors[d]!))
        }
    }
}
