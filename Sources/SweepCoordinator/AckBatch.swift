package import SweepKit

/// The acknowledgements of one poll round, batched: one ACK message per worker for the cells
/// committed (or found done) in the round, split at ``WireFormat/maxAckKeys`` keys a message.
///
/// Cost: O(1) amortised per cell; ``flush(_:)`` keeps the table's capacity for the next round.
package struct AckBatch {
    private var pending: [WorkerID: [CellKey]] = [:]

    /// Whether no acknowledgement waits.
    package init() {}

    package var isEmpty: Bool { pending.isEmpty }

    /// Queues the acknowledgement of `cell` to `worker`, in the order given.
    package mutating func add(_ cell: CellKey, for worker: WorkerID) {
        pending[worker, default: []].append(cell)
    }

    /// The ACK messages of the round, per worker in the order queued; empties the batch.
    package mutating func flush() -> [(worker: WorkerID, ack: Wire.Ack)] {
        guard !pending.isEmpty else { return [] }
        var messages: [(worker: WorkerID, ack: Wire.Ack)] = []
        for (worker, keys) in pending {
            var start = 0
            while start < keys.count {
                let end = min(keys.count, start + WireFormat.maxAckKeys)
                messages.append((worker, Wire.Ack(cells: Array(keys[start..<end]))))
                start = end
            }
        }
        pending.removeAll(keepingCapacity: true)
        return messages
    }
}
