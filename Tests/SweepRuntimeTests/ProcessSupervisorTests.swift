import Foundation
import SweepRuntime
import Synchronization
import Testing

/// The supervisor with real processes (`/bin/sh`): restarts within its budget, leaves a clean
/// exit alone, relays stderr lines, stops what runs.
@Suite struct ProcessSupervisorTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// Generous: Foundation learns of a child's end on a dispatch thread, which a loaded test run can hold up.
    func waitUntil(seconds: Double = 60, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func aCopyThatFailsIsRestartedUntilTheBudgetIsSpent() {
        let reports = Lines()
        let supervisor = ProcessSupervisor(executable: URL(fileURLWithPath: "/bin/sh"), environment: [:], count: 2, maxRestarts: 3,
                                           report: { reports.append($0) })
        supervisor.pollInterval = 0.02
        supervisor.start(arguments: ["-c", "exit 3"])
        #expect(waitUntil { supervisor.restarts == 3 })
        usleep(200_000)
        #expect(supervisor.restarts == 3, "no restart beyond the budget")
        #expect(reports.all.count == 3 && reports.all.allSatisfy { $0.contains("died (exit 3)") })
        #expect(reports.all.last?.contains("restart 3 of at most 3") == true)
        supervisor.stop()
    }

    @Test func aCleanExitIsNotRestartedAndStderrLinesAreRelayed() {
        let lines = Lines(), reports = Lines()
        let supervisor = ProcessSupervisor(executable: URL(fileURLWithPath: "/bin/sh"), environment: ["WORD": "hello"], count: 1,
                                           maxRestarts: 5, relayLine: { lines.append($0) }, report: { reports.append($0) })
        supervisor.pollInterval = 0.02
        supervisor.start(arguments: ["-c", "echo \"$WORD one\" >&2; printf 'two' >&2; exit 0"])
        #expect(waitUntil { lines.all.count == 2 })
        usleep(200_000)
        #expect(lines.all == ["hello one\n", "two\n"])
        #expect(supervisor.restarts == 0 && reports.all.isEmpty)
        supervisor.stop()
    }

    @Test func aCopyKilledByASignalIsRestartedAndStopEndsTheRunningOnes() throws {
        let reports = Lines()
        let supervisor = ProcessSupervisor(executable: URL(fileURLWithPath: "/bin/sh"), environment: [:], count: 2, maxRestarts: 5,
                                           report: { reports.append($0) })
        supervisor.pollInterval = 0.02
        supervisor.stopGrace = 0.2
        supervisor.start(arguments: ["-c", "exec sleep 60"])
        let first = supervisor.processIdentifiers
        #expect(first.count == 2)
        kill(first[0], SIGKILL)
        #expect(waitUntil { supervisor.restarts == 1 })
        #expect(reports.all.first?.contains("killed by signal \(SIGKILL)") == true)
        let second = supervisor.processIdentifiers
        #expect(second[1] == first[1] && second[0] != first[0])
        #expect(supervisor.runningCount == 2)
        supervisor.stop()
        // Both ended (SIGTERM after the grace).
        #expect(waitUntil { supervisor.runningCount == 0 })
    }
}

@Suite struct WakePipeTests {
    @Test func signalsCoalesceUntilDrainedAndWakeAgainAfter() {
        let pipe = WakePipe()
        var buffer = [UInt8](repeating: 0, count: 16)
        for _ in 0..<100 { pipe.signal() }
        #expect(read(pipe.readFD, &buffer, 16) == 1, "one byte for a hundred signals")
        pipe.drain()
        #expect(read(pipe.readFD, &buffer, 16) == -1, "empty after a drain")
        pipe.signal()
        #expect(read(pipe.readFD, &buffer, 16) == 1, "a signal after the drain writes again")
    }

    @Test func theClockIsMonotonicInMilliseconds() {
        let a = monotonicMilliseconds()
        usleep(20_000)
        let b = monotonicMilliseconds()
        #expect(b - a >= 20 && b - a < 5_000)
    }
}

@Suite struct BlockingQueueTests {
    @Test func elementsComeOutInOrderAcrossThreads() {
        let queue = BlockingQueue<Int>()
        let received = BlockingQueue<Int>()
        let consumer = Thread {
            for _ in 0..<1_000 { received.push(queue.pop()) }
        }
        consumer.start()
        for i in 0..<1_000 { queue.push(i) }
        var all: [Int] = []
        let deadline = Date().addingTimeInterval(60)
        while all.count < 1_000 && Date() < deadline {
            all += received.popAll()
            usleep(1_000)
        }
        #expect(all == Array(0..<1_000))
        #expect(queue.count == 0 && received.popAll().isEmpty)
    }

    @Test func popAllTakesWhatIsQueuedAndLeavesTheQueueEmpty() {
        let queue = BlockingQueue<String>()
        #expect(queue.popAll().isEmpty)
        queue.push("a")
        queue.push("b")
        #expect(queue.pop() == "a")
        queue.push("c")
        #expect(queue.count == 2 && queue.popAll() == ["b", "c"] && queue.count == 0)
    }
}
