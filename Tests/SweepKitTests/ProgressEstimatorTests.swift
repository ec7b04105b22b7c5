import Foundation
import SweepKit
import Testing

/// The one rate/ETA estimator of the live line and `nmsweep status`, on an injected clock.
@Suite("ProgressEstimator: rate and ETA over the run's own time")
struct ProgressEstimatorTests {
    @Test("no rate and no ETA before the first completion, however long the wait")
    func noRateBeforeCompletion() {
        var estimator = ProgressEstimator()
        for t in 0...120 { estimator.observe(time: Double(t), completed: 0) }
        #expect(estimator.rate == nil)
        #expect(estimator.eta(remaining: 10) == nil)
        #expect(estimator.eta(remaining: 0) == 0)
        #expect(estimator.elapsed == 120)
    }

    @Test("a steady rate is estimated exactly (relative error < 1e-9), from the first seconds on")
    func steadyRate() {
        var estimator = ProgressEstimator(timeConstant: 30)
        for t in 0...200 {
            estimator.observe(time: Double(t), completed: 3 * t)
            if t >= 1 {
                let rate = estimator.rate ?? 0
                #expect(abs(rate - 3) / 3 < 1e-9, "t = \(t): \(rate)")
            }
        }
        #expect(abs((estimator.eta(remaining: 30) ?? 0) - 10) < 1e-6)
    }

    @Test("a young run's rate is cells done over its own elapsed time, not over a fixed window")
    func youngRun() throws {
        var estimator = ProgressEstimator(timeConstant: 30)
        estimator.observe(time: 0, completed: 0)
        estimator.observe(time: 1, completed: 13)           // a burst
        for t in 2...5 { estimator.observe(time: Double(t), completed: 13) }
        let rate = try #require(estimator.rate)
        // 13 cells in 5 s = 2.6/s; the exponential weighting shifts it by under 10 % this early.
        #expect(abs(rate - 2.6) / 2.6 < 0.1, "\(rate)")
    }

    @Test("the ETA moves smoothly when the rate halves: no jump by more than the change of rate")
    func smoothChange() throws {
        var estimator = ProgressEstimator(timeConstant: 30)
        var completed = 0
        var previous: Double?
        for t in 0...120 {
            completed += t < 60 ? 4 : 2
            estimator.observe(time: Double(t), completed: completed)
            guard let rate = estimator.rate else { continue }
            if let previous { #expect(abs(rate - previous) / previous < 0.1, "t = \(t): \(previous) → \(rate)") }
            previous = rate
        }
        let last = try #require(previous)
        #expect(last > 2 && last < 2.5, "after 60 s at the new rate the estimate is near it: \(last)")
    }

    @Test("cells that finish in bursts (a pre-training, then its evaluations) keep the ETA within 2x of the run's mean")
    func burstsStayNearTheRunMean() throws {
        // The glyph study's shape: 19 cells finish together every 55 s (two workers, 110 s per
        // pre-training), 760 cells; the 30 s mean alone swung from near 0 to 19 cells per second.
        var estimator = ProgressEstimator(timeConstant: 30)
        var completed = 0
        var swing: (low: Double, high: Double) = (.infinity, 0)
        for t in 1...2_200 {
            if t % 55 == 0 { completed = min(760, completed + 19) }
            estimator.observe(time: Double(t), completed: completed)
            guard t >= 110, let eta = estimator.eta(remaining: 760 - completed), completed < 760 else { continue }
            let meanETA = Double(760 - completed) / (Double(completed) / estimator.elapsed)
            swing = (min(swing.low, eta / meanETA), max(swing.high, eta / meanETA))
        }
        #expect(swing.low >= 0.5 - 1e-9 && swing.high <= 2 + 1e-9, "ETA / run-mean ETA ranged \(swing)")
        // Without the bound it would not: the smoothed rate falls far below the mean between bursts.
        #expect(swing.high > 1.5, "the bound was reached, so it mattered: \(swing)")
    }

    @Test("cells done before this run (already in the database) do not count")
    func baseline() {
        var estimator = ProgressEstimator()
        estimator.observe(time: 0, completed: 500)
        estimator.observe(time: 10, completed: 510)
        #expect(estimator.completed == 10)
        #expect(abs((estimator.rate ?? 0) - 1) < 1e-9)
    }
}
