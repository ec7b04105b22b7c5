extension Scheduler {
    /// The index of a required tag set, added when new.
    mutating func requirementID(_ tags: Set<String>) -> Int32 {
        if let known = requirements.firstIndex(of: tags) { return Int32(known) }
        requirements.append(tags)
        return Int32(requirements.count - 1)
    }

    /// Whether worker `w` may run command cells needing requirement `r`: it opted in and its tags
    /// cover the requirement.
    func canRun(requirement r: Int32, worker w: Int) -> Bool {
        guard let worker = workers[w], worker.runsCommands else { return false }
        return requirements[Int(r)].isSubset(of: worker.tags)
    }

    /// The first queued command cell worker `w` may run (dropping stale entries); nil when none.
    /// O(queued command cells): there is one per (noise ratio, seed), not per evaluate cell.
    mutating func popCommand(worker w: Int) -> Int32? {
        guard workers[w]?.runsCommands == true, !commandQueue.isEmpty else { return nil }
        commandQueue.removeAll { states[Int($0)] != .queued }
        guard let n = commandQueue.firstIndex(where: { canRun(requirement: requirementOf[Int($0)], worker: w) }) else { return nil }
        return commandQueue.remove(at: n)
    }

    /// Queued command cells that no live worker may run, grouped by the tags they require (sorted);
    /// empty when every queued command cell has a worker. What the live line and `nmsweep status`
    /// show, so a sweep waiting for a worker that is not there says so instead of hanging silently.
    public var commandCellsWithoutWorker: [(requires: [String], cells: Int)] {
        var waiting: [Int32: Int] = [:]
        for c in Set(commandQueue) where states[Int(c)] == .queued {
            let r = requirementOf[Int(c)]
            if !workers.indices.contains(where: { canRun(requirement: r, worker: $0) }) { waiting[r, default: 0] += 1 }
        }
        return waiting.map { (requirements[Int($0.key)].sorted(), $0.value) }.sorted { $0.requires.lexicographicallyPrecedes($1.requires) }
    }
}
