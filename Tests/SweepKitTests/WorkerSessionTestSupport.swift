import NoisyCore
import SweepKit

/// A session of 2 slots, heartbeat 100 ms × liveness 3, back-off 100 ms doubling to 800 ms, grace 1 s.
func makeSession(slots: Int = 2, held: [ArtifactDigest] = [], capabilities: [String]? = nil) -> WorkerSession {
    var configuration = WorkerSessionConfiguration(
        worker: WorkerID("w1"), incarnation: 7, pid: 42, host: "node", softwareVersion: "test", slots: slots,
        heartbeatMilliseconds: 100, liveness: 3, reconnectMinimumMilliseconds: 100, reconnectMaximumMilliseconds: 800,
        shutdownGraceMilliseconds: 1_000)
    if let capabilities { configuration.capabilities = capabilities }
    return WorkerSession(configuration: configuration, heldArtifacts: held)
}

/// A session started and welcomed at time 0 (session 1, heartbeat 100 ms, liveness 3); the actions are dropped.
func welcomedSession(slots: Int = 2, held: [ArtifactDigest] = []) -> WorkerSession {
    var session = makeSession(slots: slots, held: held)
    _ = session.start(now: at(0))
    _ = session.received(welcome(1), now: at(0))
    _ = session.receiveEnded(now: at(0))
    return session
}

func welcome(_ session: UInt64) -> WireMessage {
    .welcome(Wire.Welcome(session: session, heartbeatIntervalMilliseconds: 100, liveness: 3))
}

func noopAssign(_ name: String, lease: LeaseID, model: ArtifactDigest? = nil) throws -> Wire.Assign {
    try Wire.Assign(cell: cellKey(name), attempt: 1, lease: lease, leaseMilliseconds: 0,
                    requiredArtifacts: model.map { [$0] } ?? [], spec: .noop(NoopSpec(index: 0)))
}

/// Delivers `messages` as one receive round (each, then the round's end).
func deliver(_ messages: [WireMessage], to session: inout WorkerSession, now: SchedulerTime) -> [WorkerAction] {
    var actions: [WorkerAction] = []
    for message in messages { actions += session.received(message, now: now) }
    return actions + session.receiveEnded(now: now)
}

extension Array where Element == WorkerAction {
    var sent: [WireMessage] {
        compactMap { if case .send(let message) = $0 { return message } else { return nil } }
    }
    /// Results sent (batched, or alone after their artifact's upload), decoded from their frames, in order.
    var results: [Wire.ResultReport] { resultMessages.flatMap(\.results) }
    /// Result messages sent, decoded.
    var resultMessages: [Wire.ResultBatch] {
        compactMap {
            let frame: [UInt8]
            switch $0 {
            case .sendFrame(let sent): frame = sent
            case .uploadArtifact(_, _, let then?): frame = then
            default: return nil
            }
            guard case .result(let batch)? = try? frame.withUnsafeBytes({ try WireMessage(decoding: $0) }) else { return nil }
            return batch
        }
    }
    var runs: [CellKey] {
        compactMap { if case .run(let job) = $0 { return job.assign.cell } else { return nil } }
    }
    var credits: [UInt32] {
        sent.compactMap { if case .credit(let credit) = $0 { return credit.slots } else { return nil } }
    }
    var failures: [Wire.FailureReport] {
        sent.compactMap { if case .failure(let failure) = $0 { return failure } else { return nil } }
    }
    var readies: [Wire.Ready] {
        sent.compactMap { if case .ready(let ready) = $0 { return ready } else { return nil } }
    }
    var accepted: [[LeaseID]] {
        sent.compactMap { if case .accepted(let accepted) = $0 { return accepted.leases } else { return nil } }
    }
    var uploads: [ArtifactDigest] {
        compactMap { if case .uploadArtifact(let digest, _, _) = $0 { return digest } else { return nil } }
    }
    var notes: [WorkerNote] {
        compactMap { if case .note(let note) = $0 { return note } else { return nil } }
    }
    var connects: Int { filter { if case .connect = $0 { return true } else { return false } }.count }
    var disconnects: Int { filter { if case .disconnect = $0 { return true } else { return false } }.count }
    var sentShutdown: Bool { sent.contains { if case .shutdown = $0 { return true } else { return false } } }
}
