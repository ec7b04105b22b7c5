import Foundation
import SweepRuntime
import Synchronization
import Testing

/// The periodic thread with a real thread: rounds come at the interval, a stop wakes it at once
/// for exactly one last round, and a stuck last round does not hold the stop past its bound.
@Suite struct PeriodicThreadTests {
    final class Rounds: Sendable {
        let marks = Mutex<[Bool]>([])
        func add(_ last: Bool) { marks.withLock { $0.append(last) } }
        var all: [Bool] { marks.withLock { $0 } }
    }

    @Test func roundsRepeatAndTheStopRunsOneLastRound() {
        let rounds = Rounds()
        let thread = PeriodicThread(name: "test-rounds", interval: 0.01) { rounds.add($0) }
        thread.start()
        let deadline = Date().addingTimeInterval(30)
        while rounds.all.count < 3, Date() < deadline { usleep(5_000) }
        #expect(rounds.all.count >= 3)
        #expect(thread.stop(waitingAtMost: 30))
        let marks = rounds.all
        #expect(marks.last == true)
        #expect(marks.filter { $0 }.count == 1)
        usleep(50_000)
        #expect(rounds.all.count == marks.count, "no round after the last one")
    }

    @Test func aStopWakesALongIntervalAtOnce() {
        let rounds = Rounds()
        let thread = PeriodicThread(name: "test-long", interval: 3600) { rounds.add($0) }
        thread.start()
        let started = Date()
        #expect(thread.stop(waitingAtMost: 30))
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(rounds.all == [true])
    }

    @Test func aStuckLastRoundDoesNotHoldTheStop() {
        let thread = PeriodicThread(name: "test-stuck", interval: 3600) { last in
            if last { Thread.sleep(forTimeInterval: 2) }
        }
        thread.start()
        let started = Date()
        #expect(!thread.stop(waitingAtMost: 0.1))
        #expect(Date().timeIntervalSince(started) < 1.5)
    }
}
