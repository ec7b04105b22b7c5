import Foundation
import NoisyCore
import Testing

/// AdamW and SGD against hand computations in `Double`; the cosine schedule's landmarks.
@Suite struct OptimizerTests {
    /// torch.optim.AdamW, written out in `Double` for one parameter vector.
    private struct ReferenceAdamW {
        var p: [Double], m: [Double], v: [Double]
        var t = 0
        let lr: Double, b1: Double, b2: Double, eps: Double, wd: Double

        mutating func step(_ g: [Double]) {
            t += 1
            for i in p.indices {
                p[i] *= 1 - lr * wd
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                let mHat = m[i] / (1 - Foundation.pow(b1, Double(t)))
                let vHat = v[i] / (1 - Foundation.pow(b2, Double(t)))
                p[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
        }
    }

    private func gradient(_ count: Int, seed: UInt64) -> Matrix {
        TestData.normal(rows: 1, cols: count, standardDeviation: 0.5, seed: seed)
    }

    @Test func adamWOneStepMatchesHandComputation() {
        let initial = TestData.normal(rows: 1, cols: 37, seed: 1)
        let p = Parameter(name: "w", value: initial)
        let optimizer = AdamW(parameters: [p], learningRate: 0.01, weightDecay: 1e-4)
        p.gradient = gradient(37, seed: 2)
        optimizer.step()
        var reference = ReferenceAdamW(p: initial.elements.map(Double.init), m: .init(repeating: 0, count: 37), v: .init(repeating: 0, count: 37),
                                       lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 1e-4)
        reference.step(p.gradient.elements.map(Double.init))
        for (a, b) in zip(p.value.elements, reference.p) {
            // Step one moves every coordinate by ≈ lr·sign(g); Float rounding of p is ~1e-7.
            #expect(abs(Double(a) - b) <= 1e-6 * max(1, abs(b)))
        }
        // And the first step is (up to eps) exactly lr·sign(g) after decay.
        for i in 0..<37 {
            let decayed = Double(initial[0, i]) * (1 - 0.01 * 1e-4)
            let g = Double(p.gradient[0, i])
            #expect(abs((decayed - Double(p.value[0, i])) - 0.01 * (g > 0 ? 1 : -1)) <= 1e-6)
        }
        #expect(optimizer.stepCount == 1)
    }

    @Test func adamWSeveralStepsMatchHandComputation() {
        let initial = TestData.normal(rows: 3, cols: 11, seed: 3)
        let p = Parameter(name: "w", value: initial)
        let optimizer = AdamW(parameters: [p], learningRate: 3e-3, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.05)
        var reference = ReferenceAdamW(p: initial.elements.map(Double.init), m: .init(repeating: 0, count: 33), v: .init(repeating: 0, count: 33),
                                       lr: 3e-3, b1: 0.8, b2: 0.99, eps: 1e-6, wd: 0.05)
        for step in 0..<12 {
            p.gradient = gradient(33, seed: 100 + UInt64(step)).reshaped(rows: 3, cols: 11)
            optimizer.step()
            reference.step(p.gradient.elements.map(Double.init))
        }
        for (a, b) in zip(p.value.elements, reference.p) { #expect(abs(Double(a) - b) <= 2e-6 * max(1, abs(b))) }
    }

    @Test func adamWDecaysWeightsEvenWithZeroGradient() {
        let p = Parameter(name: "w", value: Matrix(rows: 1, cols: 3, elements: [1, -2, 4]))
        let optimizer = AdamW(parameters: [p], learningRate: 0.1, weightDecay: 0.5)
        optimizer.step()   // m = v = 0: the Adam term is 0/(0 + eps) = 0, only the decay acts
        #expect(p.value == Matrix(rows: 1, cols: 3, elements: [0.95, -1.9, 3.8]))
    }

    @Test func sgdWithMomentumMatchesTorchSemantics() {
        let p = Parameter(name: "w", value: Matrix(rows: 1, cols: 2, elements: [1, -1]))
        let optimizer = SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        var ref: [Double] = [1, -1], buffer: [Double] = [0, 0]
        for step in 0..<4 {
            let g: [Float] = [Float(step) - 1.5, 0.25 * Float(step)]
            p.gradient = Matrix(rows: 1, cols: 2, elements: g)
            optimizer.step()
            for i in 0..<2 {
                let d = Double(g[i]) + 0.01 * ref[i]
                buffer[i] = step == 0 ? d : 0.9 * buffer[i] + d   // first step: buffer = d
                ref[i] -= 0.1 * buffer[i]
            }
        }
        for i in 0..<2 { #expect(abs(Double(p.value[0, i]) - ref[i]) <= 1e-6) }

        let plain = Parameter(name: "v", value: Matrix(rows: 1, cols: 1, elements: [2]))
        let sgd = SGD(parameters: [plain], learningRate: 0.5)
        plain.gradient = Matrix(rows: 1, cols: 1, elements: [1])
        sgd.step()
        #expect(plain.value[0, 0] == 1.5)
    }

    @Test func cosineScheduleLandmarks() {
        let schedule = CosineSchedule(baseLearningRate: 0.01, totalSteps: 1000)
        #expect(schedule.learningRate(atStep: 0) == 0.01)
        #expect(abs(schedule.learningRate(atStep: 500) - 0.005) <= 1e-9)
        #expect(schedule.learningRate(atStep: 1000) == 0)
        #expect(abs(schedule.learningRate(atStep: 250) - Float(0.01 * 0.5 * (1 + Foundation.cos(Double.pi / 4)))) <= 1e-9)
        // Monotone non-increasing.
        let values = (0...1000).map(schedule.learningRate(atStep:))
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
        // torch's CosineAnnealingLR recursion gives the same values (closed form), e.g. T = 4.
        let short = CosineSchedule(baseLearningRate: 1, totalSteps: 4)
        #expect((0...4).map(short.learningRate(atStep:)).map { ($0 * 1e6).rounded() / 1e6 } == [1, 0.853553, 0.5, 0.146447, 0])
    }

    @Test func cosineScheduleWithWarmup() {
        let schedule = CosineSchedule(baseLearningRate: 0.1, totalSteps: 110, warmupSteps: 10)
        #expect(schedule.learningRate(atStep: 0) == 0)
        #expect(abs(schedule.learningRate(atStep: 5) - 0.05) <= 1e-9)
        #expect(abs(schedule.learningRate(atStep: 9) - 0.09) <= 1e-8)
        #expect(schedule.learningRate(atStep: 10) == 0.1)          // the cosine starts at the base
        #expect(abs(schedule.learningRate(atStep: 60) - 0.05) <= 1e-9)  // halfway through the cosine
        #expect(schedule.learningRate(atStep: 110) == 0)
    }
}
