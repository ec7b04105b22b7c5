import SweepKit

extension CoordinatorLoop {
    /// Why a result cannot be taken, before the scheduler sees it: its values (``GridCell/problem(with:)``)
    /// and, for a pretrain cell, its model: uploaded by the sender (complete, its bytes held) or
    /// already in the store. `nil` for a cell not in the sweep (the scheduler rejects it).
    func checkAtTheDoor(_ report: Wire.ResultReport) -> String? {
        guard let i = cellIndex[report.cell] else { return nil }
        let cell = cells[Int(i)]
        if let problem = cell.problem(with: report.result) { return problem }
        if cell.kind == .pretrain, let sha = report.result.artifactSHA256,
           !uploads.hasComplete(sha), !scheduler.isArtifactAvailable(sha) {
            return "its model \(sha.prefix(12)) did not arrive (no complete upload, not in the store)"
        }
        return nil
    }

    /// Whether a peer's joining (or, with `leaving`, its leaving) is worth a log line, a worker
    /// row and an event: its first few times, then at powers of two. A peer that registers and
    /// leaves in a loop (junk frames that decode as READY and SHUTDOWN) must not become a line
    /// and a write per frame. `count: false` asks about the last one counted without counting.
    /// The table is bounded: it is cleared when it holds 10,000 peers.
    func churnIsNews(_ worker: WorkerID, leaving: Bool = false, count: Bool = true) -> Bool {
        if churn.count >= 10_000, churn[worker] == nil { churn.removeAll() }
        var entry = churn[worker] ?? (joins: 0, leaves: 0)
        if count {
            if leaving { entry.leaves += 1 } else { entry.joins += 1 }
            churn[worker] = entry
        }
        let n = leaving ? entry.leaves : entry.joins
        return n <= 2 || n & (n - 1) == 0
    }
}
