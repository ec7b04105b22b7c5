import NoisyCore
import SweepCoordinator
import SweepKit
import SweepStore
import Testing

/// The coordinator's protocol above the scheduler, driven by messages and completions without sockets.
@Suite struct CoordinatorSessionTests {
    let a = WorkerID("a"), b = WorkerID("b")

    @Test func readyIsWelcomedAndRecordedOnce() throws {
        var session = makeSession(try noopCells(2))
        session.received(ready(a), from: a, now: at(0))
        let first = session.take()
        #expect(first.kinds == [.welcome])
        guard case .worker(let record)? = first.jobs.first else { Issue.record("no worker row: \(first.jobs)"); return }
        #expect(record.id == "a" && record.slots == 2 && record.host == "node")
        // A repeated READY is welcomed again but is not news.
        session.received(ready(a), from: a, now: at(1))
        let again = session.take()
        #expect(again.kinds == [.welcome] && again.jobs.isEmpty)
        #expect(session.scheduler.isAlive(a))
    }

    @Test func aWorkerOfAnotherResultFormatIsRefusedAndRecordedOnce() throws {
        var session = makeSession(try noopCells(2))
        session.received(ready(a, capabilities: ["result-format/0"]), from: a, now: at(0))
        let first = session.take()
        #expect(first.kinds == [.shutdown] && first.events == ["worker_refused"])
        guard case .shutdown(let shutdown) = first.sent[0].message else { return }
        #expect(shutdown.reason.contains("result format mismatch") && shutdown.reason.contains("result-format/0"))
        session.received(ready(a, capabilities: []), from: a, now: at(1))
        #expect(session.take().events.isEmpty)
        session.received(.credit(Wire.Credit(slots: 2)), from: a, now: at(1))
        session.dispatch(now: at(1))
        #expect(!session.scheduler.isAlive(a))
        #expect(!session.take().kinds.contains(.assign))
    }

    @Test func assignmentsCarryTheCellsSpecAndLeaseTime() throws {
        let cells = try noopCells(3)
        var session = makeSession(cells)
        session.join(a, slots: 2)
        let assigns = session.assignAccepted(now: at(1))
        #expect(assigns.count == 2 && session.assigned == 2 && session.firstAssignTime == at(1))
        let byKey = Dictionary(uniqueKeysWithValues: cells.map { ($0.key, $0) })
        for (worker, assign) in assigns {
            #expect(worker == a)
            #expect(assign.specJSON == byKey[assign.cell]?.canonicalJSON)
            #expect(assign.requiredArtifacts.isEmpty && assign.leaseMilliseconds == 300 && assign.attempt == 1)
        }
    }

    @Test func aResultIsStoredWithItsValuesAndAcknowledgedAfterItsCommit() throws {
        var session = makeSession(try noopCells(1))
        session.join(a)
        let assign = try #require(session.assignAccepted(now: at(1)).first?.assign)
        let result = CellResult(accuracy: 0.75, sve: 0.5, lsvr: 0.25, trainLoss: 0)
        session.received(.result([Wire.ResultReport(cell: assign.cell, lease: assign.lease, attempt: 1, result: result)]),
                         from: a, now: at(2))
        let persisted = session.take()
        guard case .result(let key, let record)? = persisted.jobs.first else { Issue.record("\(persisted.jobs)"); return }
        #expect(key == assign.cell && record.accuracy == 0.75 && record.sve == 0.5 && record.lsvr == 0.25 && record.workerID == "a")
        session.flushAcks()
        #expect(session.take().isEmpty, "no ACK before the commit")
        session.stored(.committed([assign.cell]), now: at(3))
        #expect(session.take().isEmpty, "ACKs wait for the round's flush")
        session.flushAcks()
        let acks = session.take().sent
        guard acks.count == 1, case .ack(let ack) = acks[0].message else { Issue.record("\(acks)"); return }
        #expect(acks[0].worker == a && ack.cells == [assign.cell])
        #expect(session.scheduler.isFinished)
    }

    @Test func aResultWithImpossibleValuesIsRefusedAtTheDoor() throws {
        var session = makeSession(try noopCells(1))
        session.join(a)
        let assign = try #require(session.assignAccepted(now: at(1)).first?.assign)
        let bad = CellResult(accuracy: 7, sve: 0, lsvr: 0)
        session.received(.result([Wire.ResultReport(cell: assign.cell, lease: assign.lease, attempt: 1, result: bad)]),
                         from: a, now: at(2))
        let outputs = session.take()
        #expect(!outputs.jobs.contains { if case .result = $0 { true } else { false } })
        #expect(session.scheduler.state(of: assign.cell) != .committing)
        #expect(session.scheduler.lastError(of: assign.cell)?.contains("result refused") == true)
    }

    /// The pre-training's model: refused without its upload; with it, stored with its bytes, and
    /// the evaluate cells' ASSIGNs name it (the scheduler's artifact map, not a second one).
    @Test func aPretrainResultNeedsItsUploadAndItsModelGoesOutWithItsDependents() throws {
        let cells = try dagCells()
        var session = makeSession(cells)
        session.join(a, slots: 1)
        let pretrain = try #require(session.assignAccepted(now: at(1)).first?.assign)
        #expect(cells.first { $0.key == pretrain.cell }?.kind == .pretrain)
        let model: [UInt8] = Array(repeating: 7, count: 3_000)
        let digest = try #require(ArtifactDigest(bytes: CellKey(sha256Of: model).bytes))
        let result = CellResult(accuracy: 0.5, artifactSHA256: digest.hex)
        let report = WireMessage.result([Wire.ResultReport(cell: pretrain.cell, lease: pretrain.lease, attempt: 1, result: result)])

        session.received(report, from: a, now: at(2))
        // No upload, not in the store: refused, and the cell is queued again with the reason.
        let refused = session.take().jobs
        guard refused.count == 1, case .cellOutcome(pretrain.cell, .queued, 1, let error?) = refused[0] else { Issue.record("\(refused)"); return }
        #expect(error.contains("its model \(digest.hex.prefix(12)) did not arrive"))

        session.received(.credit(Wire.Credit(slots: 1)), from: a, now: at(3))
        let again = try #require(session.assignAccepted(now: at(3)).first?.assign)
        #expect(again.cell == pretrain.cell)
        for chunk in try Wire.ArtifactChunk.chunks(of: model, digest: digest) { session.received(.artifactUpload(chunk), from: a, now: at(4)) }
        // Each chunk goes on to the store thread as it comes; none is held here.
        let written = session.take().jobs.filter { if case .artifact(.chunk) = $0 { true } else { false } }
        #expect(written.count == (model.count + WireFormat.artifactChunkBytes - 1) / WireFormat.artifactChunkBytes)
        session.received(.result([Wire.ResultReport(cell: again.cell, lease: again.lease, attempt: 2, result: result)]), from: a, now: at(5))
        let stored = session.take().jobs
        guard case .pretrainDone(let key, let artifact, let uploaded, let kind)? = stored.first else { Issue.record("\(stored)"); return }
        #expect(key == pretrain.cell && artifact == digest.hex && uploaded && kind == "model")
        #expect(session.uploads.openCount == 0)

        session.stored(.committed([pretrain.cell]), now: at(6))
        session.stored(.artifactStored(digest.hex), now: at(6))
        session.flushAcks()
        _ = session.take()
        session.received(.credit(Wire.Credit(slots: 1)), from: a, now: at(7))
        let evaluate = try #require(session.assignAccepted(now: at(7)).first?.assign)
        #expect(cells.first { $0.key == evaluate.cell }?.dependency == pretrain.cell)
        #expect(evaluate.requiredArtifacts == [digest])
    }

    @Test func aWorkerWhoseConnectionIsGoneIsLostAndItsCellGoesBack() throws {
        var session = makeSession(try noopCells(1))
        session.join(a, slots: 1)
        let assign = try #require(session.assignAccepted(now: at(1)).first?.assign)
        session.connectionGone(a, now: at(2))
        let outputs = session.take()
        #expect(outputs.events == ["worker_lost"])
        #expect(!session.scheduler.isAlive(a) && session.scheduler.state(of: assign.cell) == .queued)
        // Charged: it was accepted alone (guilt).
        #expect(session.scheduler.attempts(of: assign.cell) == 1)
        session.connectionGone(a, now: at(3))
        #expect(session.take().isEmpty, "a worker lost already is not lost twice")
    }

    @Test func aWorkerThatSaysGoodbyeLeavesWithItsReasonAndIsNotCharged() throws {
        var session = makeSession(try noopCells(1))
        session.join(a, slots: 1)
        let assign = try #require(session.assignAccepted(now: at(1)).first?.assign)
        session.received(.shutdown(Wire.Shutdown(reason: "worker stopping")), from: a, now: at(2))
        let outputs = session.take()
        let left = outputs.jobs.compactMap { if case .event("worker_left", _, _, let message, _) = $0 { message } else { nil } }
        #expect(left.count == 1 && left[0].contains("worker stopping"))
        #expect(session.scheduler.state(of: assign.cell) == .queued && session.scheduler.attempts(of: assign.cell) == 0)
    }

    @Test func aStopDrainsEveryWorkerAndPausesDispatch() throws {
        var session = makeSession(try noopCells(4))
        session.join(a)
        session.join(b)
        session.beginStop()
        let drains = session.take().sent
        #expect(Set(drains.map(\.worker)) == [a, b])
        #expect(drains.allSatisfy { if case .drain(let d) = $0.message { d.graceMilliseconds == 500 } else { false } })
        session.dispatch(now: at(1))
        #expect(session.take().isEmpty)
    }

    @Test func messagesInTheWrongDirectionAndUnknownCellsAreBadFrames() throws {
        var session = makeSession(try noopCells(1))
        session.join(a)
        session.received(.heartbeat, from: a, now: at(1))
        session.received(.cancel(Wire.Cancel(cell: CellKey(sha256Of: [1]), lease: 1)), from: a, now: at(1))
        #expect(session.badFrames.value == 1)
        let stray = CellResult(accuracy: 1, sve: 0, lsvr: 0)
        session.received(.result([Wire.ResultReport(cell: CellKey(sha256Of: [2]), lease: 1, attempt: 1, result: stray)]), from: a, now: at(1))
        #expect(session.badFrames.value == 2)
        // An unknown peer is asked to register again.
        session.received(.heartbeat, from: b, now: at(1))
        #expect(session.take().kinds == [.reregister])
    }

    @Test func aStoredResultThatWasLostGoesBackToTheQueueUnacknowledged() throws {
        var session = makeSession(try noopCells(1))
        session.join(a)
        let assign = try #require(session.assignAccepted(now: at(1)).first?.assign)
        session.received(.result([Wire.ResultReport(cell: assign.cell, lease: assign.lease, attempt: 1, result: CellResult(accuracy: 1, sve: 0, lsvr: 0))]), from: a, now: at(2))
        _ = session.take()
        session.stored(.lost([assign.cell], "database refused"), now: at(3))
        session.flushAcks()
        let outputs = session.take()
        #expect(outputs.kinds.isEmpty)
        #expect(session.scheduler.state(of: assign.cell) == .queued)
    }

    @Test func artifactRequestsGoToTheStoreAndItsAnswerGoesBackInChunks() throws {
        var session = makeSession(try noopCells(1))
        session.join(a)
        let model = [UInt8](repeating: 3, count: Int(WireFormat.artifactChunkBytes) + 10)
        let digest = try #require(ArtifactDigest(bytes: CellKey(sha256Of: model).bytes))
        session.received(.artifactRequest(Wire.ArtifactRequest(digest: digest)), from: a, now: at(1))
        let asked = session.take().jobs
        // A request is the first window of a download.
        guard asked.count == 1, case .artifact(.fetch(digest, 0, WireFormat.artifactWindowChunks, let worker)) = asked[0] else { Issue.record("\(asked)"); return }
        #expect(worker == a)
        // An unknown peer is asked to register again and gets nothing from the store.
        session.received(.artifactRequest(Wire.ArtifactRequest(digest: digest)), from: b, now: at(1))
        let stranger = session.take()
        #expect(stranger.kinds == [.reregister] && stranger.jobs.isEmpty)

        session.stored(.artifact(.chunks(digest, for: a, try Wire.ArtifactChunk.chunks(of: model, digest: digest), reason: "")), now: at(2))
        let chunks = session.take().sent.compactMap { if case .artifact(let chunk) = $0.message { chunk } else { nil } }
        #expect(chunks.count == 2 && chunks.allSatisfy { $0.digest == digest && $0.totalBytes == UInt64(model.count) })
        #expect(chunks.flatMap(\.bytes) == model)
        session.stored(.artifact(.chunks(digest, for: a, nil, reason: "not stored")), now: at(3))
        let missing = session.take().sent
        guard missing.count == 1, case .artifactUnavailable(let unavailable) = missing[0].message else { Issue.record("\(missing)"); return }
        #expect(missing[0].worker == a && unavailable.digest == digest && unavailable.reason == "not stored")
    }

    @Test func aResultForADoneCellIsAcknowledgedAndNotStoredAgain() throws {
        var session = makeSession(try noopCells(1))
        session.join(a)
        session.join(b)
        let assign = try #require(session.assignAccepted(now: at(1)).first)
        let result = CellResult(accuracy: 1, sve: 0, lsvr: 0)
        session.received(.result([Wire.ResultReport(cell: assign.assign.cell, lease: assign.assign.lease, attempt: 1, result: result)]), from: assign.worker, now: at(2))
        session.stored(.committed([assign.assign.cell]), now: at(3))
        session.flushAcks()
        _ = session.take()
        // The same result again (a resend after a reconnect): acknowledged, no second write.
        session.received(.result([Wire.ResultReport(cell: assign.assign.cell, lease: assign.assign.lease, attempt: 1, result: result)]), from: assign.worker, now: at(4))
        session.flushAcks()
        let again = session.take()
        #expect(again.jobs.isEmpty && again.kinds == [.ack])
    }
}
