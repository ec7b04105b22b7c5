import NoisyCore
import StudyData
import SweepKit
import Testing

/// The worker's protocol without sockets or sleeps: ``WorkerSession`` on an injected clock.
@Suite struct WorkerSessionHandshakeTests {
    @Test func readyCarriesTheResultFormatAndTheHeldArtifactsAndRepeatsUntilWelcome() throws {
        let model = try #require(ArtifactDigest(hex: SHA256.hash([1, 2, 3]).hex))
        var session = makeSession(held: [model])
        let start = session.start(now: at(0))
        #expect(start.connects == 1)
        let ready = try #require(start.readies.first)
        #expect(ready.capabilities.contains(Wire.Ready.resultFormatCapability))
        #expect(ready.artifacts == [model])
        #expect(ready.slots == 2 && ready.worker == WorkerID("w1"))
        #expect(session.tick(now: at(99)).readies.isEmpty)
        #expect(session.tick(now: at(100)).readies.count == 1)
        _ = deliver([welcome(1)], to: &session, now: at(150))
        #expect(session.isWelcomed)
        #expect(session.tick(now: at(300)).readies.isEmpty)
    }

    @Test func shutdownFromACoordinatorOfAnotherBuildEndsTheWorker() {
        // A coordinator refuses a READY without its result format by SHUTDOWN (docs/protocol.md).
        var session = makeSession(capabilities: ["noop", "result-format/0"])
        #expect(session.start(now: at(0)).readies.first?.capabilities.contains(Wire.Ready.resultFormatCapability) == false)
        let reason = "result format mismatch: this coordinator stores \(Wire.Ready.resultFormatCapability), the worker reports result-format/0"
        let actions = deliver([.shutdown(Wire.Shutdown(reason: reason))], to: &session, now: at(10))
        #expect(session.isFinished)
        #expect(!session.isWelcomed)
        #expect(actions.notes == [.shutdown(reason: reason)])
        #expect(actions.credits.isEmpty)
    }

    @Test func aMessageForTheCoordinatorIsDroppedAndNoted() {
        var session = welcomedSession()
        let actions = deliver([.credit(Wire.Credit(slots: 3))], to: &session, now: at(10))
        #expect(actions.notes == [.droppedWrongDirection(.credit)])
        #expect(actions.sent.isEmpty)
    }
}

@Suite struct WorkerSessionCreditTests {
    @Test func welcomeGrantsTheFreeSlotsAndEachFinishedAttemptOneMore() throws {
        var session = makeSession(slots: 3)
        _ = session.start(now: at(0))
        #expect(deliver([welcome(1)], to: &session, now: at(0)).credits == [3])
        let a = try noopAssign("a", lease: 1), b = try noopAssign("b", lease: 2)
        let round = deliver([.assign([a]), .assign([b])], to: &session, now: at(10))
        #expect(round.accepted == [[1, 2]])
        #expect(round.runs == [a.cell, b.cell])
        #expect(session.tick(now: at(20)).credits.isEmpty, "nothing finished: no credit")
        _ = session.cellFinished(a, .finished(CellResult(accuracy: 0.5), model: nil), now: at(30))
        #expect(session.tick(now: at(30)).credits == [1])
        #expect(session.tick(now: at(40)).credits.isEmpty, "credit is granted once")
        // A second welcome (a reconnect) grants only what is free: 3 slots, 1 attempt running.
        #expect(deliver([welcome(1)], to: &session, now: at(50)).credits == [2])
    }

    @Test func acceptedIsSentBeforeAnyOfTheRoundRunsAndARepeatedAssignIsIgnored() throws {
        var session = welcomedSession()
        let a = try noopAssign("a", lease: 1)
        var actions = session.received(.assign([a]), now: at(10))
        actions += session.received(.assign([a]), now: at(10))
        #expect(actions.runs.isEmpty, "nothing runs before the round's ACCEPTED")
        actions += session.receiveEnded(now: at(10))
        let acceptedAt = try #require(actions.firstIndex { if case .send(.accepted) = $0 { true } else { false } })
        let runAt = try #require(actions.firstIndex { if case .run = $0 { true } else { false } })
        #expect(acceptedAt < runAt)
        #expect(actions.accepted == [[1]] && actions.runs == [a.cell])
        #expect(session.inFlightCount == 1)
    }

    @Test func jobsWaitForAnIdleSlotAndCancelWithdrawsAWaitingOne() throws {
        var session = welcomedSession(slots: 1)
        let a = try noopAssign("a", lease: 1), b = try noopAssign("b", lease: 2), c = try noopAssign("c", lease: 3)
        #expect(deliver([.assign([a]), .assign([b]), .assign([c])], to: &session, now: at(10)).runs == [a.cell])
        let cancelled = deliver([.cancel(Wire.Cancel(cell: b.cell, lease: 2))], to: &session, now: at(20))
        #expect(cancelled.failures.map(\.cell) == [b.cell])
        #expect(cancelled.failures.first?.reason == .cancelled && cancelled.failures.first?.retryable == true)
        // Cancelling the running one does nothing: a running cell cannot be interrupted.
        #expect(deliver([.cancel(Wire.Cancel(cell: a.cell, lease: 1))], to: &session, now: at(25)).failures.isEmpty)
        #expect(session.cellFinished(a, .finished(CellResult(accuracy: 1), model: nil), now: at(30)).runs == [c.cell])
        #expect(session.tick(now: at(30)).credits == [2], "the cancelled and the finished attempt")
    }

    @Test func aSpecThatDoesNotDecodeFailsForGoodAndGivesItsSlotBack() {
        var session = welcomedSession()
        let bad = Wire.Assign(cell: cellKey("x"), attempt: 1, lease: 9, leaseMilliseconds: 0, specJSON: Array("{}".utf8))
        let actions = deliver([.assign([bad])], to: &session, now: at(10))
        #expect(actions.failures.map(\.reason) == [.badSpec])
        #expect(actions.failures.first?.retryable == false)
        #expect(actions.runs.isEmpty && session.inFlightCount == 0)
        #expect(session.tick(now: at(20)).credits == [1])
    }
}

@Suite struct WorkerSessionResultTests {
    @Test func aResultIsResentAfterEveryWelcomeUntilAcknowledged() throws {
        var session = welcomedSession()
        let a = try noopAssign("a", lease: 1)
        _ = deliver([.assign([a])], to: &session, now: at(10))
        let finished = session.cellFinished(a, .finished(CellResult(accuracy: 0.75), model: nil), now: at(20))
            + session.roundEnded(now: at(20))
        #expect(finished.results.map(\.cell) == [a.cell])
        #expect(finished.results.first?.result.accuracy == 0.75)
        // A REREGISTER's welcome of the same session within a heartbeat: no second resend.
        let resent = deliver([welcome(2)], to: &session, now: at(30))
        #expect(resent.results.map(\.cell) == [a.cell])
        #expect(resent.notes.contains(.resending(count: 1)))
        #expect(deliver([welcome(2)], to: &session, now: at(40)).results.isEmpty)
        #expect(deliver([welcome(2)], to: &session, now: at(130)).results.map(\.cell) == [a.cell], "a heartbeat later")
        #expect(session.unacknowledgedCount == 1)
        _ = deliver([.ack(Wire.Ack(cells: [a.cell]))], to: &session, now: at(140))
        #expect(session.unacknowledgedCount == 0)
        #expect(deliver([welcome(3)], to: &session, now: at(150)).results.isEmpty)
    }

    @Test func aPretrainingsModelIsUploadedBeforeItsResultEveryTime() throws {
        var session = welcomedSession()
        let a = try noopAssign("p", lease: 1)
        _ = deliver([.assign([a])], to: &session, now: at(10))
        let digest = try #require(ArtifactDigest(hex: SHA256.hash(Array(repeating: UInt8(7), count: 1000)).hex))
        let actions = session.cellFinished(a, .finished(CellResult(accuracy: 1), model: StoredArtifact(digest: digest, bytes: 1000)), now: at(20))
            + session.roundEnded(now: at(20))
        // The result frame goes with the upload, sent by the driver after the model's last chunk.
        #expect(!actions.contains { if case .sendFrame = $0 { true } else { false } })
        #expect(actions.uploads == [digest])
        #expect(actions.results.first?.result.artifactSHA256 == digest.hex)
        // Its slot's credit waits for the upload (the result frees the slot at the coordinator).
        #expect(session.tick(now: at(21)).credits.isEmpty)
        _ = session.uploadEnded(digest, now: at(22))
        #expect(session.tick(now: at(23)).credits == [1])
        let resent = deliver([welcome(2)], to: &session, now: at(30))
        #expect(resent.uploads == [digest] && resent.results.count == 1)
        // The model is now held: READY lists it, and a request for it is answered from the cache.
        #expect(deliver([.reregister(Wire.Reregister(session: 2))], to: &session, now: at(40)).readies.first?.artifacts == [digest])
        let request = deliver([.artifactRequest(Wire.ArtifactRequest(digest: digest))], to: &session, now: at(50))
        #expect(request.contains { if case .uploadArtifact(digest, answering: true, then: nil) = $0 { true } else { false } })
    }

    @Test func aFailureIsReportedWithItsReasonAndTheSlotComesBack() throws {
        var session = welcomedSession()
        let a = try noopAssign("a", lease: 1)
        _ = deliver([.assign([a])], to: &session, now: at(10))
        let actions = session.cellFinished(a, .failed(reason: .nonFinite, retryable: false, message: "loss is nan"), now: at(20))
        #expect(actions.failures.map(\.reason) == [.nonFinite])
        #expect(actions.failures.first?.message == "loss is nan" && actions.failures.first?.lease == 1)
        #expect(session.unacknowledgedCount == 0)
        #expect(session.tick(now: at(20)).credits == [1])
    }
}

@Suite struct WorkerSessionReconnectTests {
    @Test func aSilentCoordinatorIsLeftAndDialledAgainAfterADoublingBackoff() throws {
        var session = welcomedSession()
        #expect(session.tick(now: at(300)).disconnects == 0, "silent for exactly liveness × heartbeat: not yet")
        let left = session.tick(now: at(301))
        #expect(left.disconnects == 1)
        #expect(left.notes == [.coordinatorSilent(silentMilliseconds: 301, reconnectInMilliseconds: 100, everAnswered: true)])
        #expect(!session.isConnected && !session.isWelcomed)
        #expect(session.tick(now: at(400)).connects == 0)
        let back = session.tick(now: at(401))
        #expect(back.connects == 1 && back.readies.count == 1)
        #expect(session.reconnectBackoffMilliseconds == 200)
        // Silent again: the wait is 200 ms now, then 400, 800, and stays at the maximum.
        var time: Int64 = 401
        for expected: Int64 in [200, 400, 800, 800] {
            time += 301
            #expect(session.tick(now: at(time)).notes.first == .coordinatorSilent(silentMilliseconds: 301, reconnectInMilliseconds: expected, everAnswered: true))
            #expect(session.tick(now: at(time + expected - 1)).connects == 0)
            time += expected
            #expect(session.tick(now: at(time)).connects == 1)
        }
        _ = deliver([welcome(2)], to: &session, now: at(time + 10))
        #expect(session.reconnectBackoffMilliseconds == 100, "a welcome resets the back-off")
    }

    @Test func resultsFinishedWhileDisconnectedAreKeptAndSentAfterTheNextWelcome() throws {
        var session = welcomedSession()
        let a = try noopAssign("a", lease: 1)
        _ = deliver([.assign([a])], to: &session, now: at(10))
        _ = session.tick(now: at(400))
        #expect(!session.isConnected)
        let finished = session.cellFinished(a, .finished(CellResult(accuracy: 1), model: nil), now: at(410))
            + session.roundEnded(now: at(410))
        #expect(finished.results.isEmpty && finished.sent.isEmpty, "nothing is sent without a connection")
        #expect(session.unacknowledgedCount == 1)
        _ = session.tick(now: at(500))
        let welcomed = deliver([welcome(2)], to: &session, now: at(520))
        #expect(welcomed.results.map(\.cell) == [a.cell])
        #expect(welcomed.credits == [2])
    }

    @Test func theResultsOfOneRoundGoOutTogetherWhenItEndsAndBeforeTheCredit() throws {
        var session = welcomedSession()
        let a = try noopAssign("a", lease: 1), b = try noopAssign("b", lease: 2)
        _ = deliver([.assign([a, b])], to: &session, now: at(10))
        var round = session.cellFinished(a, .finished(CellResult(accuracy: 0.25), model: nil), now: at(20))
        round += session.cellFinished(b, .finished(CellResult(accuracy: 0.5), model: nil), now: at(20))
        #expect(round.resultMessages.isEmpty, "nothing leaves before the round ends")
        let tick = session.tick(now: at(20))
        #expect(tick.resultMessages.map { $0.results.map(\.cell) } == [[a.cell, b.cell]])
        #expect(tick.results.map(\.result.accuracy) == [0.25, 0.5])
        let resultAt = try #require(tick.firstIndex { if case .sendFrame = $0 { true } else { false } })
        let creditAt = try #require(tick.firstIndex { if case .send(.credit) = $0 { true } else { false } })
        #expect(resultAt < creditAt, "results first, then the slots they freed")
        #expect(session.roundEnded(now: at(20)).isEmpty, "sent once")
        #expect(session.unacknowledgedCount == 2)
        // A lone result waits for nothing but the end of its own round.
        let c = try noopAssign("c", lease: 3)
        _ = deliver([.assign([c])], to: &session, now: at(30))
        let lone = session.cellFinished(c, .finished(CellResult(accuracy: 1), model: nil), now: at(31)) + session.roundEnded(now: at(31))
        #expect(lone.results.map(\.cell) == [c.cell])
        // A welcome resends every unacknowledged result in one message.
        let resent = deliver([welcome(2)], to: &session, now: at(40))
        #expect(resent.resultMessages.count == 1 && Set(resent.results.map(\.cell)) == [a.cell, b.cell, c.cell])
    }

    @Test func aRoundOfMoreResultsThanOneMessageHoldsIsSplitAtTheCap() throws {
        var session = welcomedSession(slots: 1024)
        let count = WireFormat.maxResults + 300
        var assigns: [Wire.Assign] = []
        for i in 0..<count { assigns.append(try noopAssign("r\(i)", lease: LeaseID(i + 1))) }
        for assign in assigns { _ = session.cellFinished(assign, .finished(CellResult(accuracy: 1), model: nil), now: at(10)) }
        let sent = session.roundEnded(now: at(10))
        #expect(sent.resultMessages.map(\.results.count) == [WireFormat.maxResults, 300])
        #expect(sent.results.map(\.cell) == assigns.map(\.cell), "in the order they finished")
    }

    @Test func aCoordinatorThatNeverAnsweredIsNotedSo() {
        var session = makeSession()
        _ = session.start(now: at(0))
        let notes = session.tick(now: at(301)).notes
        #expect(notes == [.coordinatorSilent(silentMilliseconds: 301, reconnectInMilliseconds: 100, everAnswered: false)])
    }

    @Test func heartbeatsGoOutWhenNothingElseWasSentForAnInterval() {
        var session = welcomedSession()
        // The welcome's credit was the last send, at 0.
        #expect(session.tick(now: at(99)).sent.isEmpty)
        #expect(session.tick(now: at(100)).sent == [.heartbeat])
        _ = deliver([.heartbeat], to: &session, now: at(150))
        #expect(session.tick(now: at(199)).sent.isEmpty)
    }
}

@Suite struct WorkerSessionDrainTests {
    @Test func aSignalHandsBackQueuedCellsLetsRunningOnesFinishThenSaysShutdown() throws {
        var session = welcomedSession(slots: 1)
        let a = try noopAssign("a", lease: 1), b = try noopAssign("b", lease: 2)
        _ = deliver([.assign([a]), .assign([b])], to: &session, now: at(10))
        let drain = session.drainRequested(reason: "signal 15", now: at(20))
        #expect(drain.notes == [.draining(reason: "signal 15", handedBack: 1, running: 1)])
        #expect(drain.failures.isEmpty, "handed-back cells are re-queued by the coordinator on SHUTDOWN")
        #expect(session.inFlightCount == 1 && session.isDraining)
        // New work is refused while draining.
        let c = try noopAssign("c", lease: 3)
        #expect(deliver([.assign([c])], to: &session, now: at(30)).failures.map(\.reason) == [.cancelled])
        let finished = session.cellFinished(a, .finished(CellResult(accuracy: 1), model: nil), now: at(40))
        #expect(finished.runs.isEmpty, "the handed-back cell does not run")
        let waiting = session.tick(now: at(40))
        #expect(waiting.credits.isEmpty && !waiting.sentShutdown, "no credit while draining; the result is not acknowledged yet")
        _ = deliver([.ack(Wire.Ack(cells: [a.cell]))], to: &session, now: at(50))
        #expect(!session.isFinished)
        #expect(session.tick(now: at(50)).sentShutdown)
        #expect(session.isFinished)
    }

    @Test func theGracePeriodEndsADrainWithCellsStillRunning() throws {
        var session = welcomedSession()
        _ = deliver([.assign([try noopAssign("a", lease: 1)])], to: &session, now: at(10))
        _ = session.drainRequested(reason: "signal 15", now: at(20))
        _ = deliver([.heartbeat], to: &session, now: at(1000))  // the coordinator is alive
        #expect(!session.tick(now: at(1019)).sentShutdown)
        #expect(session.tick(now: at(1020)).sentShutdown)
        #expect(session.isFinished)
    }

    @Test func aDrainWhileDisconnectedEndsWithoutSayingSo() throws {
        var session = welcomedSession()
        _ = deliver([.assign([try noopAssign("a", lease: 1)])], to: &session, now: at(10))
        _ = session.drainRequested(reason: "signal 15", now: at(20))
        _ = deliver([.heartbeat], to: &session, now: at(700))
        #expect(session.tick(now: at(1001)).disconnects == 1, "silent since 700; back again at 1101")
        let end = session.tick(now: at(1020))
        #expect(session.isFinished && !end.sentShutdown, "the grace period ended during the back-off: no one to tell")
    }

    @Test func aSecondSignalLeavesAtOnce() throws {
        var session = welcomedSession()
        _ = deliver([.assign([try noopAssign("a", lease: 1)])], to: &session, now: at(10))
        _ = session.drainRequested(reason: "signal 15", now: at(20))
        _ = session.drainRequested(reason: "signal 2", now: at(30))
        #expect(session.tick(now: at(30)).sentShutdown)
    }

    @Test func theCoordinatorsDrainWorksLikeASignal() throws {
        var session = welcomedSession()
        let actions = deliver([.drain(Wire.Drain(graceMilliseconds: 500))], to: &session, now: at(10))
        #expect(actions.notes == [.draining(reason: "coordinator drain", handedBack: 0, running: 0)])
        #expect(session.tick(now: at(10)).sentShutdown)
    }
}

@Suite struct WorkerSessionArtifactTests {
    let model: [UInt8] = (0..<(2 * WireFormat.artifactChunkBytes + 5)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    var digest: ArtifactDigest { ArtifactDigest(hex: SHA256.hash(model).hex)! }

    @Test func aMissingModelIsRequestedOnceAndItsCellsRunWhenItIsStored() throws {
        var session = welcomedSession()
        let a = try noopAssign("a", lease: 1, model: digest), b = try noopAssign("b", lease: 2, model: digest)
        let round = deliver([.assign([a]), .assign([b])], to: &session, now: at(10))
        let requests = round.sent.filter { if case .artifactRequest(let r) = $0 { r.digest == digest } else { false } }
        #expect(requests.count == 1)
        #expect(round.accepted == [[1, 2]] && round.runs.isEmpty)
        // Chunks go to the driver's download (it streams them into the store) and nothing runs yet.
        let chunks = try Wire.ArtifactChunk.chunks(of: model, digest: digest)
        var actions: [WorkerAction] = []
        for chunk in chunks { actions += deliver([.artifact(chunk)], to: &session, now: at(20)) }
        #expect(actions.filter { if case .artifactTransfer(.artifact) = $0 { true } else { false } }.count == 3)
        #expect(actions.runs.isEmpty)
        actions = session.artifactStored(digest, now: at(21))
        #expect(actions.runs == [a.cell, b.cell])
        let c = try noopAssign("c", lease: 3, model: digest)
        #expect(deliver([.assign([c])], to: &session, now: at(30)).runs.isEmpty, "both slots busy")
        #expect(session.cellFinished(a, .finished(CellResult(accuracy: 1), model: nil), now: at(40)).runs == [c.cell],
                "a held model is not requested again")
    }

    @Test func aDownloadThatFailsFailsTheWaitingCells() throws {
        var session = welcomedSession()
        let wrong = try #require(ArtifactDigest(hex: SHA256.hash([9]).hex))
        let a = try noopAssign("a", lease: 1, model: wrong)
        _ = deliver([.assign([a])], to: &session, now: at(10))
        let actions = session.artifactFailed(wrong, message: "model bytes do not hash to their digest", now: at(20))
        #expect(actions.failures.map(\.reason) == [.artifactUnavailable])
        #expect(actions.failures.first?.retryable == true)
        #expect(session.inFlightCount == 0)
    }

    @Test func anUnavailableModelFailsItsCellsRetryably() throws {
        var session = welcomedSession()
        let a = try noopAssign("a", lease: 1, model: digest)
        _ = deliver([.assign([a])], to: &session, now: at(10))
        let actions = deliver([.artifactUnavailable(Wire.ArtifactUnavailable(digest: digest, reason: "not stored"))], to: &session, now: at(20))
        #expect(actions.failures.map(\.cell) == [a.cell])
        #expect(actions.failures.first?.message.contains("not stored") == true)
        #expect(session.tick(now: at(20)).credits == [1])
    }

    @Test func aModelLostFromTheCacheIsRequestedNextTime() throws {
        var session = welcomedSession(held: [digest])
        let a = try noopAssign("a", lease: 1, model: digest)
        #expect(deliver([.assign([a])], to: &session, now: at(10)).runs == [a.cell])
        _ = session.cellFinished(a, .failed(reason: .artifactUnavailable, retryable: true, message: "gone"), now: at(20))
        let again = deliver([.assign([try noopAssign("a", lease: 2, model: digest)])], to: &session, now: at(30))
        #expect(again.runs.isEmpty)
        #expect(again.sent.contains { if case .artifactRequest = $0 { true } else { false } })
    }

    @Test func aRequestForAModelNotHeldIsAnsweredUnavailable() {
        var session = welcomedSession()
        let actions = deliver([.artifactRequest(Wire.ArtifactRequest(digest: digest))], to: &session, now: at(10))
        #expect(actions.sent.contains { if case .artifactUnavailable(let u) = $0 { u.digest == digest } else { false } })
        #expect(actions.uploads.isEmpty)
    }
}
