extension Scheduler {
    /// A live worker as the scheduler sees it: what the coordinator's status page shows per worker.
    public struct WorkerView: Sendable, Equatable {
        public var id: WorkerID
        /// Slots it registered with (READY).
        public var slots: Int
        /// Assignments it may still take (credit not yet used).
        public var credit: Int
        /// Cells it holds a lease on (running or about to run).
        public var leased: Int
        /// When it was last heard from (any message counts as a heartbeat).
        public var lastSeen: SchedulerTime
    }

    /// The live workers in registration-slot order. O(W).
    public var workerViews: [WorkerView] {
        workers.compactMap { record in
            record.map { WorkerView(id: $0.id, slots: $0.slots, credit: $0.credit, leased: $0.leases.count, lastSeen: $0.lastSeen) }
        }
    }
}
