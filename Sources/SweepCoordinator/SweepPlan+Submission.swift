import Foundation
import Logging
import SweepKit
import SweepStore

extension SweepPlan {
    /// Cells recorded per transaction when a plan is submitted.
    static let submissionChunk = 50_000

    /// Records `cells` in the sweep, `submissionChunk` at a time (each chunk one COPY and one
    /// transaction, idempotent), so memory grows by one chunk's rows rather than a copy of every
    /// spec, and a large grid shows its progress: a line per chunk once it has more than one.
    /// Pretrain cells come before their dependents in a plan, so every chunk's dependencies are
    /// stored before it. Returns how many cells were new.
    static func submit(_ cells: [GridCell], to database: SweepDatabase, sweepID: Int64, logger: Logger) throws -> Int {
        var new = 0
        var start = 0
        let began = Date()
        while start < cells.count {
            let end = min(cells.count, start + submissionChunk)
            new += try database.insertCells(cells[start..<end].map { cell in
                NewCell(key: cell.key.hex, kind: cell.kind,
                        spec: String(decoding: cell.canonicalJSON, as: UTF8.self), dependsOn: cell.dependency?.hex)
            }, sweepID: sweepID)
            start = end
            if cells.count > submissionChunk {
                logger.info("recording cells: \(start) of \(cells.count) (\(start * 100 / cells.count) %), \(new) new, \(String(format: "%.1f", Date().timeIntervalSince(began))) s")
            }
        }
        return new
    }
}
