package import SweepKit

/// What the coordinator remembers about peers beyond the scheduler's live workers: how often
/// each joined and left (so a churning peer does not become a log line and a write per frame),
/// and which were refused for another result format (logged once each).
///
/// Bounded: the churn table is cleared when it holds ``maxPeers`` peers, the refused set likewise.
package struct WorkerRoster {
    /// Peers remembered at most before the tables start again.
    package static let maxPeers = 10_000

    private var churn: [WorkerID: (joins: Int, leaves: Int)] = [:]
    private var refused: Set<WorkerID> = []

    /// Counts a join; whether it is news (a log line, a worker row): the first two of a peer,
    /// then at powers of two.
    package init() {}

    package mutating func joinIsNews(_ worker: WorkerID) -> Bool { count(worker, leaving: false) }

    /// Counts a leave; whether it is news, as for joins.
    package mutating func leaveIsNews(_ worker: WorkerID) -> Bool { count(worker, leaving: true) }

    /// Whether the leave counted last for this peer was news (asked again without counting,
    /// when the scheduler's `workerLeft` follows the SHUTDOWN that was counted).
    package func lastLeaveWasNews(_ worker: WorkerID) -> Bool { Self.isNews(churn[worker]?.leaves ?? 0) }

    /// Records a refusal; true the first time this peer is refused (log and record it then only).
    package mutating func refuse(_ worker: WorkerID) -> Bool {
        if refused.count >= Self.maxPeers, !refused.contains(worker) { refused.removeAll() }
        return refused.insert(worker).inserted
    }

    /// Why a worker of another build is refused, or nil when its READY carries this build's
    /// result-format capability: its results would be stored under keys that promise this
    /// build's numbers.
    package static func incompatibility(of ready: Wire.Ready) -> String? {
        guard !ready.capabilities.contains(Wire.Ready.resultFormatCapability) else { return nil }
        let formats = ready.capabilities.filter { $0.hasPrefix("result-format/") }
        let theirs = formats.isEmpty ? "none" : formats.joined(separator: ", ")
        return "result format mismatch: this coordinator stores \(Wire.Ready.resultFormatCapability), "
            + "the worker reports \(theirs) (\(ready.softwareVersion)); run the same nmsweep build on every node"
    }

    private mutating func count(_ worker: WorkerID, leaving: Bool) -> Bool {
        if churn.count >= Self.maxPeers, churn[worker] == nil { churn.removeAll() }
        var entry = churn[worker] ?? (joins: 0, leaves: 0)
        if leaving { entry.leaves += 1 } else { entry.joins += 1 }
        churn[worker] = entry
        return Self.isNews(leaving ? entry.leaves : entry.joins)
    }

    private static func isNews(_ n: Int) -> Bool { n <= 2 || n & (n - 1) == 0 }
}
