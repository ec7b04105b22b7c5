import Foundation

/// A task executor on one thread of its own: the HTTP side's async work (Hummingbird's service
/// group, connection and request tasks, which inherit the preference) runs here, not on Swift's
/// cooperative pool. So a process whose pool threads are busy or blocked — a test runner's
/// synchronous tests, say — still answers requests, and the server never takes a pool thread
/// from anyone else. Jobs run in the order enqueued.
final class ThreadTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `jobs` is read and written under `condition` only.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
