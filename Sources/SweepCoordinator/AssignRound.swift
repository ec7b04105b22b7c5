package import SweepKit

/// The assignments of one round of scheduler actions (a dispatch, a credit, a result), gathered
/// per worker so that each worker gets one ASSIGN message for them (split only where the caps
/// say so: ``Wire/AssignBatch/batches(of:)``), instead of one message per cell.
///
/// Nothing waits for a batch to fill: the round's assignments go out when the round ends.
/// Cost: O(1) amortised per assignment (a run of one worker's assignments needs no lookup).
package struct AssignRound {
    private var perWorker: [(worker: WorkerID, assignments: [Wire.Assign])] = []
    private var place: [WorkerID: Int] = [:]

    package init() {}

    package mutating func add(_ assignment: Wire.Assign, for worker: WorkerID) {
        if let last = perWorker.indices.last, perWorker[last].worker == worker {
            perWorker[last].assignments.append(assignment)
        } else if let index = place[worker] {
            perWorker[index].assignments.append(assignment)
        } else {
            place[worker] = perWorker.count
            perWorker.append((worker, [assignment]))
        }
    }

    /// The messages, per worker in the order the workers first appeared; each keeps its order.
    package func messages() -> [(worker: WorkerID, batch: Wire.AssignBatch)] {
        perWorker.flatMap { entry in Wire.AssignBatch.batches(of: entry.assignments).map { (entry.worker, $0) } }
    }
}
