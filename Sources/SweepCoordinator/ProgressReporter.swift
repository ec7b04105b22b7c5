import Foundation

/// The coordinator's progress: a line rewritten in place on a terminal (stderr), or a log line
/// every few seconds otherwise. Shows done/total, cells/s over the last 10 s, ETA, workers, failures.
final class ProgressReporter {
    let mode: CoordinatorConfiguration.ProgressMode
    let logInterval: Double
    let total: Int
    let alreadyDone: Int
    private var samples: [(time: Double, done: Int)] = []
    private var lastLog = 0.0
    private var wroteLine = false
    private let start = Date()

    init(mode: CoordinatorConfiguration.ProgressMode, logInterval: Double, total: Int, alreadyDone: Int) {
        switch mode {
        case .automatic: self.mode = isatty(2) != 0 ? .line : .log
        default: self.mode = mode
        }
        self.logInterval = logInterval
        self.total = total
        self.alreadyDone = alreadyDone
    }

    func report(done: Int, failed: Int, workers: Int, leased: Int, backlog: Int, assigned: Int) {
        guard mode != .quiet else { return }
        let now = Date().timeIntervalSince(start)
        samples.append((now, done))
        while let first = samples.first, now - first.time > 10 { samples.removeFirst() }
        let rate: Double
        if let first = samples.first, now > first.time { rate = Double(done - first.done) / (now - first.time) } else { rate = 0 }
        let remaining = total - done - failed
        let eta = rate > 0 ? Self.duration(Double(remaining) / rate) : "–"
        let text = "\(done)/\(total) done, \(failed) failed, \(String(format: "%.0f", rate)) cells/s, ETA \(eta), "
            + "\(workers) workers, \(leased) running, \(backlog) committing, \(assigned) assigned"
        switch mode {
        case .line:
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
            wroteLine = true
        case .log where now - lastLog >= logInterval:
            lastLog = now
            FileHandle.standardError.write(Data(("progress: " + text + "\n").utf8))
        default: break
        }
    }

    func finish() {
        if wroteLine { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}
