public import NoisyCore

/// What the scheduler asks its driver to do; the driver performs actions in the order given.
public enum SchedulerAction: Hashable, Sendable {
    /// Send ASSIGN: run `cell` (attempt `attempt`, 1-based) under `lease`. `index` is the cell's
    /// place among the cells the scheduler was built from (first occurrence of each key), so the
    /// driver finds its spec without a second index; `requiredArtifact` is the SHA-256 of the model
    /// an evaluate cell needs (its pre-training's), nil for a cell that needs none.
    case assign(worker: WorkerID, cell: CellKey, lease: LeaseID, attempt: Int, index: Int, requiredArtifact: String?)
    /// Send a HEARTBEAT (nothing else went to this worker for a heartbeat interval).
    case heartbeat(worker: WorkerID)
    /// Put this result into the write buffer; report the commit with ``Scheduler/committed(_:now:)``.
    /// Only one persist is ever asked per cell. `index` as in ``assign(worker:cell:lease:attempt:index:requiredArtifact:)``.
    case persistResult(worker: WorkerID, cell: CellKey, lease: LeaseID, index: Int, result: CellResult)
    /// Send ACK: the worker may forget its result (committed, or already known).
    case ack(worker: WorkerID, cell: CellKey, lease: LeaseID)
    /// Send CANCEL: the worker should stop this attempt (superseded or over its time limit).
    case cancel(worker: WorkerID, cell: CellKey, lease: LeaseID)
    /// Record: the cell is queued again after an attempt that did not finish.
    case cellRequeued(cell: CellKey, attempts: Int, reason: String)
    /// Record: the cell has failed for good with this error.
    case cellFailed(cell: CellKey, attempts: Int, error: String)
    /// Record: the worker was declared dead (silent, or its connection vanished); its unfinished
    /// cells were requeued or failed, charged by guilt.
    case workerLost(worker: WorkerID, reason: String)
    /// Record: the worker said goodbye (SHUTDOWN, with its own reason); its unfinished cells were
    /// requeued without counting an attempt.
    case workerLeft(worker: WorkerID, reason: String)
    /// A message came from a worker the scheduler does not know (never registered, or declared
    /// dead): ask it to register again; its message was not acted on.
    case unknownWorker(worker: WorkerID)
    /// A message named a cell that is not in this sweep: drop it and count it as a bad frame.
    case rejected(worker: WorkerID, cell: CellKey, reason: String)
}
