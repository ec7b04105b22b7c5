import Foundation

/// A per-step cosine learning-rate decay to 0, with an optional linear warm-up.
///
/// Without warm-up, `lr(t) = base · ½(1 + cos(π·t/T))` for `0 ≤ t ≤ T` (PyTorch's
/// `CosineAnnealingLR(T_max = T, eta_min = 0)` stepped once per optimiser step, closed form), so
/// `lr(0) = base`, `lr(T/2) = base/2`, `lr(T) = 0`. With `W` warm-up steps, `lr(t) = base·t/W` for
/// `t < W`, then the cosine over the remaining `T − W` steps: `base · ½(1 + cos(π·(t − W)/(T − W)))`.
/// Steps past `T` stay at 0 (PyTorch's schedule would rise again; a run never gets there).
/// Computed in `Double`, rounded to `Float`.
public struct CosineSchedule: Sendable, Hashable {
    public let baseLearningRate: Float
    /// `T`: the total number of optimiser steps, warm-up included.
    public let totalSteps: Int
    /// `W`: warm-up steps (0 for none).
    public let warmupSteps: Int

    public init(baseLearningRate: Float, totalSteps: Int, warmupSteps: Int = 0) {
        precondition(totalSteps > 0, "CosineSchedule needs a positive number of steps, got \(totalSteps)")
        precondition(warmupSteps >= 0 && warmupSteps < totalSteps,
                     "CosineSchedule warm-up of \(warmupSteps) steps must be in 0..<\(totalSteps)")
        self.baseLearningRate = baseLearningRate
        self.totalSteps = totalSteps
        self.warmupSteps = warmupSteps
    }

    /// The learning rate of optimiser step `step` (0-based).
    public func learningRate(atStep step: Int) -> Float {
        precondition(step >= 0, "CosineSchedule step must be non-negative, got \(step)")
        let base = Double(baseLearningRate)
        if step < warmupSteps { return Float(base * Double(step) / Double(warmupSteps)) }
        if step >= totalSteps { return 0 }
        let progress = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
        return Float(base * 0.5 * (1 + Foundation.cos(Double.pi * progress)))
    }
}
