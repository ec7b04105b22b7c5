import Foundation

/// The one estimator of a sweep's rate and ETA: the live progress line and `nmsweep status` (which
/// shows what the coordinator computed) both use it, so they cannot disagree.
///
/// It is an exponentially weighted mean of the completion rate with time constant ``timeConstant``,
/// bias-corrected for the time observed so far: while the run is young (elapsed ≪ τ) the estimate
/// is cells completed ÷ elapsed time of this run (not of a fixed window, which made a 45 s old
/// sweep look 7× slower than it was); later it follows the last ~τ seconds, so a change of phase
/// (slow pre-training, then fast evaluations) moves the ETA smoothly rather than in jumps.
/// The smoothed rate is kept within a factor of ``runMeanBound`` of the run's mean rate (cells
/// completed ÷ elapsed): cells that finish in bursts (a pre-training, then its evaluations) made a
/// 30 s mean swing from 0.004 to 1.1 cells/s within minutes, showing an ETA of 89 h for a sweep that
/// ended 20 minutes later. There is no rate before the first completion, and no ETA without a rate.
public struct ProgressEstimator: Sendable {
    /// Seconds over which older completions fade by a factor e.
    public let timeConstant: Double
    /// Time of the first observation (the start of this run's work), seconds on the caller's clock.
    public private(set) var startTime: Double?
    private var lastTime = 0.0
    private var lastCompleted = 0
    /// The uncorrected exponential mean of the rate, and the weight the mean has accumulated
    /// (1 − e^(−elapsed/τ)); their ratio is the bias-corrected rate.
    private var smoothed = 0.0
    private var weight = 0.0
    /// Cells completed since the first observation.
    public private(set) var completed = 0

    /// The smoothed rate stays within [run mean ÷ this, run mean × this].
    public static let runMeanBound = 2.0

    public init(timeConstant: Double = 30) {
        precondition(timeConstant > 0, "the time constant must be positive")
        self.timeConstant = timeConstant
    }

    /// Records that `completed` cells (counted from the start of this run) are done at `time` (s).
    /// Times must not go backwards; a repeated time only updates the count.
    public mutating func observe(time: Double, completed total: Int) {
        guard let _ = startTime else {
            startTime = time
            lastTime = time
            lastCompleted = total
            completed = 0
            baseline = total
            return
        }
        let dt = time - lastTime
        completed = total - baseline
        guard dt > 0 else { return }
        let instantaneous = Double(total - lastCompleted) / dt
        let alpha = 1 - exp(-dt / timeConstant)
        smoothed += alpha * (instantaneous - smoothed)
        weight += alpha * (1 - weight)
        lastTime = time
        lastCompleted = total
    }

    private var baseline = 0

    /// Seconds since the first observation.
    public var elapsed: Double { startTime.map { lastTime - $0 } ?? 0 }

    /// Cells per second; nil until a cell has completed in this run.
    public var rate: Double? {
        guard completed > 0, weight > 0, smoothed > 0 else { return nil }
        let recent = smoothed / weight
        guard elapsed > 0 else { return recent }
        let runMean = Double(completed) / elapsed
        return min(max(recent, runMean / Self.runMeanBound), runMean * Self.runMeanBound)
    }

    /// Seconds until `remaining` cells are done at ``rate``: 0 when nothing remains, nil without a rate.
    public func eta(remaining: Int) -> Double? {
        if remaining <= 0 { return 0 }
        guard let rate else { return nil }
        return Double(remaining) / rate
    }
}
