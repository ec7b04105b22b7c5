import NoisyCore
import Testing

/// End-to-end gradients of each tuning method's whole loss w.r.t. every network parameter, by
/// central differences of the Float training loss on a tiny case (B = 10, D = 4, h = 2, C = 3).
///
/// Settings: central differences with h = 1e-2 and h/2; a coordinate passes when `|num − ana| ≤ 2e-2·max(|num|, |ana|) +
/// 5e-3·max|ana|` (the `GradientChecking` budget: Float rounding of a loss of order 1 divided by
/// 2h is ~1e-5). ReLU kinks: for a smooth loss the two central differences agree to O(h²)
/// (curvature does not separate them, unlike one-sided differences); where they disagree a kink
/// lies within ±h and the coordinate is skipped (at most 20 % of a tensor); the rest are compared
/// at h/2. NMTune uses large regulariser weights and
/// top-k 2 so every term moves the gradient.
@Suite struct NMTuneGradientTests {
    @Test(arguments: [TuningMethod.lp, .mlp, .nmtune])
    func parameterGradientsMatchFiniteDifferences(_ method: TuningMethod) throws {
        let batch = 10, features = 4, classes = 3
        let network = ProbeNetwork(method: method, features: features, classes: classes, hiddenMultiplier: 2, seed: 11)
        let f = TestData.normal(rows: batch, cols: features, seed: 12)
        let normalized = Kernels.l2NormalizeRows(f)
        let labels = (0..<batch).map { $0 % classes }
        let weights = NMTuneLoss.Weights(consistency: 1, singular: 0.5, covariance: 0.5, topK: 2)
        func loss() throws -> Double {
            try network.trainingStep(features: f, normalizedFeatures: normalized, labels: labels, weights: weights, backward: false).total
        }
        for p in network.parameters { p.zeroGrad() }
        _ = try network.trainingStep(features: f, normalizedFeatures: normalized, labels: labels, weights: weights, backward: true)
        let expectedTensors = method == .lp ? 2 : 2 + 2 + 2 + 2 + 1  // fc1, bn, fc2, head, s
        #expect(network.parameters.count == expectedTensors)

        let h: Float = 1e-2
        for parameter in network.parameters {
            let analytic = parameter.gradient.elements
            let largest = analytic.map { Double(abs($0)) }.max()!
            if parameter === network.residual?.fc1.bias {
                // BatchNorm (training) subtracts each column's batch mean, so fc1's bias cannot move
                // the loss: its gradient is 0 up to Float rounding.
                #expect(largest <= 1e-6, "fc1 bias gradient \(largest) should vanish")
                continue
            }
            #expect(largest > 0, "\(parameter.name) has an all-zero gradient")
            var mismatches: [String] = [], skipped = 0
            func central(_ i: Int, _ step: Float) throws -> Double {
                let original = parameter.value.elements[i]
                parameter.value.withUnsafeMutableBufferPointer { $0[i] = original + step }
                let up = try loss()
                parameter.value.withUnsafeMutableBufferPointer { $0[i] = original - step }
                let down = try loss()
                parameter.value.withUnsafeMutableBufferPointer { $0[i] = original }
                return (up - down) / Double(2 * step)
            }
            func agrees(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 2e-2 * max(abs(a), abs(b)) + 5e-3 * largest }
            for i in analytic.indices {
                let wide = try central(i, h), narrow = try central(i, h / 2)
                if !agrees(wide, narrow) {
                    skipped += 1  // a ReLU kink inside ±h: the two central differences disagree
                    continue
                }
                if !agrees(narrow, Double(analytic[i])) { mismatches.append("[\(i)] analytic \(analytic[i]) numeric \(narrow)") }
            }
            #expect(mismatches.isEmpty, "\(method) \(parameter.name): \(mismatches.prefix(5))")
            #expect(Double(skipped) <= 0.2 * Double(analytic.count), "\(method) \(parameter.name): \(skipped) kinks")
        }
    }
}
