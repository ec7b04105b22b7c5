package import NoisyCore
package import SweepKit

/// The checks a result passes at the door, before the scheduler sees it.
///
/// A result is refused (the scheduler then treats it as an invalid result of its lease) when its
/// values do not fit its cell (``GridCell/problem(with:)``: a missing metric, an accuracy outside
/// [0, 1], …) or when it is a pretrain cell's and its model is neither uploaded by the sender
/// (complete, its bytes held in the ``UploadTable``) nor already in the store: a pre-training
/// marked done without its model would leave its dependents unable to run.
package enum ResultDoor {
    /// Why `result` cannot be taken for `cell`, or nil when it can.
    ///
    /// - Parameter isStored: whether the store already holds the model with this SHA-256.
    package static func refusal(of result: CellResult, for cell: GridCell, uploads: UploadTable,
                        isStored: (String) -> Bool) -> String? {
        if let problem = cell.problem(with: result) { return problem }
        if cell.kind == .pretrain, let sha = result.artifactSHA256, !uploads.hasComplete(sha), !isStored(sha) {
            return "its model \(sha.prefix(12)) did not arrive (no complete upload, not in the store)"
        }
        return nil
    }
}
