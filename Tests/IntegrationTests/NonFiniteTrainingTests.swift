import Foundation
import Testing
import TestSupport

/// Real cells that diverge (an absurd learning rate, which the grid allows: it only asks for > 0):
/// the cell fails with a reason naming the non-finite value at its first attempt, and the sweep
/// ends. (The no-op `nonFinite` fault is covered in NoopSweepTests.)
@Suite("Diverging training through the real coordinator and worker")
struct NonFiniteTrainingTests {
    @Test("LP with learning rate 1e30 fails at attempt 1 with 'non-finite'; the same task with the default rate is done")
    func divergingTuning() throws {
        let run = try GridRun.run(GridRun.tinyGrid(methods: "[lp, {method: lp, learning_rate: 1e30}]"), label: "nantune")
        #expect(run.outcome.status == 1, "\(run.outcome.standardError.suffix(3000))")
        #expect(run.outcome.standardOutput.contains("2/3 done, 1 failed, 3 assigned"), "\(run.outcome.standardOutput)")
        let failed = run.cells.filter { $0.state == "failed" }
        try #require(failed.count == 1)
        #expect(failed[0].kind == "evaluate")
        #expect(failed[0].attempts == 1, "max_attempts is 3; a divergence is not retried")
        #expect(failed[0].lastError?.contains("non-finite") == true, "\(failed[0].lastError ?? "nil")")
        #expect(run.outcome.standardOutput.contains("non-finite"))
        print("diverging tuning: \(run.cells.count) cells, 1 failed at attempt 1: \(failed[0].lastError ?? ""), \(String(format: "%.1f", run.seconds)) s")
    }

    @Test("pre-training with learning rate 1e30 fails at attempt 1 with 'non-finite'; its dependents fail naming it")
    func divergingPretraining() throws {
        let run = try GridRun.run(GridRun.tinyGrid(pretrainExtra: ", learning_rate: 1e30"), label: "nanpre")
        #expect(run.outcome.status == 1, "\(run.outcome.standardError.suffix(3000))")
        #expect(run.outcome.standardOutput.contains("0/2 done, 2 failed, 1 assigned"), "\(run.outcome.standardOutput)")
        let pretrain = try #require(run.cells.first { $0.kind == "pretrain" })
        #expect(pretrain.state == "failed")
        #expect(pretrain.attempts == 1)
        #expect(pretrain.lastError?.contains("non-finite") == true, "\(pretrain.lastError ?? "nil")")
        let dependent = try #require(run.cells.first { $0.kind == "evaluate" })
        #expect(dependent.state == "failed" && dependent.attempts == 0)
        print("diverging pre-training: failed at attempt \(pretrain.attempts): \(pretrain.lastError ?? ""), \(String(format: "%.1f", run.seconds)) s")
    }
}
