import Foundation
import SweepKit

/// The coordinator's progress: a line rewritten in place on a terminal (stderr, through
/// ``LiveLine``), or a log line every few seconds otherwise. Shows done/total, failures, elapsed
/// time, the rate and ETA of one ``ProgressEstimator`` (also what `nmsweep status` shows),
/// workers and leases.
final class ProgressReporter {
    let mode: CoordinatorConfiguration.ProgressMode
    let logInterval: Double
    let total: Int
    let alreadyDone: Int
    private(set) var estimator = ProgressEstimator()
    private var lastLog = -Double.infinity
    /// When the coordinator started.
    let startDate = Date()
    let output: LiveLine

    init(mode: CoordinatorConfiguration.ProgressMode, logInterval: Double, total: Int, alreadyDone: Int,
         output: LiveLine = .standardError) {
        switch mode {
        case .automatic: self.mode = isatty(2) != 0 ? .line : .log
        default: self.mode = mode
        }
        self.logInterval = logInterval
        self.total = total
        self.alreadyDone = alreadyDone
        self.output = output
        if self.mode == .line { output.activate() }
    }

    /// Seconds since the coordinator started.
    var elapsed: Double { Date().timeIntervalSince(startDate) }

    /// Feeds the estimator (from the first assignment on: waiting for workers is not slowness) and
    /// prints the line when due.
    func report(done: Int, failed: Int, workers: Int, leased: Int, backlog: Int, assigned: Int) {
        let now = elapsed
        if assigned > 0 || estimator.startTime != nil {
            estimator.observe(time: now, completed: done + failed - alreadyDone)
        }
        guard mode != .quiet else { return }
        let remaining = total - done - failed
        let rate = estimator.rate
        let eta = estimator.eta(remaining: remaining)
        let text = "\(done)/\(total) done, \(failed) failed, elapsed \(Self.duration(now)), "
            + (rate.map { "\(Self.rate($0)) cells/s" } ?? "rate –") + ", "
            + (remaining == 0 ? "ETA 0s" : eta.map { "ETA \(Self.duration($0))" } ?? "ETA –") + ", "
            + "\(workers) workers, \(leased) running, \(backlog) committing, \(assigned) assigned"
        switch mode {
        case .line:
            output.update(text)
        case .log where now - lastLog >= logInterval:
            lastLog = now
            output.log("progress: " + text + "\n")
        default: break
        }
    }

    func finish() {
        output.finish()
    }

    /// Two significant digits below 10 cells/s, whole numbers above.
    static func rate(_ value: Double) -> String {
        value >= 10 ? String(format: "%.0f", value) : String(format: "%.2g", value)
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}
