extension Scheduler {
    /// Assigns queued cells to workers with credit: at most
    /// ``SchedulerConfiguration/maxAssignmentsPerDispatch`` per call; nothing while paused or
    /// back-pressured.
    ///
    /// Workers are served in rounds, least-loaded first (leases ÷ slots, ties by registration slot),
    /// one cell per worker per round, in three tiers: first every worker takes a cell whose
    /// extracted features it holds (same model and task), then every worker not yet served takes a
    /// cell whose model (or black-box data) it holds, then the rest take the head of the global
    /// queue. Suspects (cells lost with others on a crashed worker) go first, one to each worker
    /// with credit and no lease, which then takes nothing else until it ends; while suspects wait
    /// and no such worker exists, the least-loaded worker is held back from new work until it is
    /// empty. Command cells come before all that, each to a worker that opted in and whose tags
    /// cover its `requires:`; no other worker ever gets one. Deterministic for a given event history.
    public mutating func dispatch(now: SchedulerTime) -> [SchedulerAction] {
        guard !dispatchPaused, !isBackPressured, counts.queued > 0 else { return drainOutbox() }
        var budget = configuration.maxAssignmentsPerDispatch
        var reserved = -1
        if hasQueuedSuspect() {
            for w in workers.indices where budget > 0 {
                guard let worker = workers[w], worker.credit > 0, worker.leases.isEmpty, !worker.isolating else { continue }
                guard let c = popSuspect() else { break }
                assign(c, to: w, now: now, isolated: true)
                budget -= 1
            }
            if hasQueuedSuspect() {
                // Drain one worker for the next suspect: the least loaded of those not isolating.
                for w in workers.indices {
                    guard let worker = workers[w], !worker.isolating, worker.slots > 0 else { continue }
                    if reserved < 0 || worker.leases.count < workers[reserved]!.leases.count { reserved = w }
                }
            }
        }
        var candidates: [Int] = []
        for w in workers.indices where w != reserved {
            if let worker = workers[w], worker.credit > 0, !worker.isolating { candidates.append(w) }
        }
        candidates.sort { a, b in
            let wa = workers[a]!, wb = workers[b]!
            // leases_a / slots_a < leases_b / slots_b, without division.
            let la = wa.leases.count * max(1, wb.slots), lb = wb.leases.count * max(1, wa.slots)
            return la != lb ? la < lb : a < b
        }
        var globalEmpty = false
        while budget > 0, !candidates.isEmpty, counts.queued > 0 {
            // One cell per worker per round; tiers across all workers, so a worker holding a cell's
            // features is served before one that merely holds its model takes it.
            var served = [Bool](repeating: false, count: candidates.count)
            var assigned = 0
            // Command cells first, to the workers that may run them: no other worker can.
            for (n, w) in candidates.enumerated() where budget > 0 {
                guard let cell = popCommand(worker: w) else { continue }
                assign(cell, to: w, now: now)
                served[n] = true
                assigned += 1
                budget -= 1
            }
            for tier in 0..<3 where budget > 0 {
                if tier == 2 && globalEmpty { break }
                for (n, w) in candidates.enumerated() where budget > 0 && !served[n] {
                    let cell: Int32?
                    switch tier {
                    case 0: cell = popLocal(worker: w, features: true)
                    case 1: cell = popLocal(worker: w, features: false)
                    default:
                        cell = popGlobal()
                        if cell == nil { globalEmpty = true }
                    }
                    guard let cell else {
                        if tier == 2 { break }
                        continue
                    }
                    assign(cell, to: w, now: now)
                    served[n] = true
                    assigned += 1
                    budget -= 1
                }
            }
            if assigned == 0 { break }
            candidates.removeAll { workers[$0]!.credit == 0 }
        }
        return drainOutbox()
    }

    mutating func assign(_ c: Int32, to w: Int, now: SchedulerTime, isolated: Bool = false) {
        let id = nextLeaseID
        nextLeaseID += 1
        attempts[Int(c)] &+= 1
        let attempt = Int(attempts[Int(c)])
        leases[id] = LeaseRecord(cell: c, worker: w, attempt: attempt, issuedAt: now, isolated: isolated)
        if isolated { workers[w]!.isolating = true }
        let workerID = workers[w]!.id
        let name: Int32
        if let known = workerNames[workerID] {
            name = known
        } else {
            name = Int32(workerNames.count)
            workerNames[workerID] = name
        }
        issuedCell.append(c)
        issuedTo.append(name)
        currentLease[Int(c)] = id
        setState(c, .leased)
        workers[w]!.leases.insert(id)
        workers[w]!.credit -= 1
        workers[w]!.lastSent = now
        let d = dependency[Int(c)]
        let required = d >= 0 ? artifactOf[d].map { tokenNames[Int($0)] } : nil
        outbox.append(.assign(worker: workers[w]!.id, cell: keys[Int(c)], lease: id, attempt: attempt, index: Int(c),
                              requiredArtifact: required))
    }

    /// Whether a suspect waits (drops stale entries at the head).
    mutating func hasQueuedSuspect() -> Bool {
        while let c = suspectQueue.first {
            if states[Int(c)] == .queued && suspect[Int(c)] { return true }
            _ = suspectQueue.popFirst()
        }
        return false
    }

    mutating func popSuspect() -> Int32? {
        while let c = suspectQueue.popFirst() {
            if states[Int(c)] == .queued && suspect[Int(c)] { return c }
        }
        return nil
    }

    mutating func popGlobal() -> Int32? {
        while let c = globalQueue.popFirst() {
            if states[Int(c)] == .queued { return c }
        }
        return nil
    }

    /// The first queued cell on the local queues of the feature (or model/data) tokens `w` holds.
    mutating func popLocal(worker w: Int, features: Bool) -> Int32? {
        let tokens = features ? workers[w]!.featureTokens : workers[w]!.plainTokens
        do {
            for t in tokens {
                guard var queue = localQueues[t] else { continue }
                localQueues[t] = nil  // take it out while mutating, so the array is not copied
                var found: Int32?
                while let c = queue.popFirst() {
                    if states[Int(c)] == .queued { found = c; break }
                }
                if !queue.isEmpty { localQueues[t] = queue }
                if let found { return found }
            }
        }
        return nil
    }
}
