import NoisyCore

/// Central finite-difference gradient checks for layers and losses.
///
/// Objective: a layer is checked through the scalar `L = Σ y ⊙ R` with `R` a fixed `N(0, 1)`
/// matrix, so `backward(R)` must return `∂L/∂x` and accumulate `∂L/∂θ`. `L` is summed in `Double`
/// from the `Float` forward pass; the numerical derivative is `(L(x + h) − L(x − h)) / (x₊ − x₋)`
/// with the *actual* `Float` perturbation in the denominator.
///
/// Tolerance and why: with `h = 1e-2` on inputs of order 1, the truncation error of the central
/// difference is `O(h²·f''') ≈ 1e-4` relative for smooth layers (0 for linear ones), and the `Float`
/// rounding in the forward pass perturbs `L` by about `1e-7·Σ|R·y|` over the outputs the coordinate
/// touches, i.e. `≲ 1e-4` after dividing by `2h`. A coordinate passes when
/// `|num − ana| ≤ rtol·max(|num|, |ana|) + atol·max_j|ana_j|` with `rtol = 2e-2` and
/// `atol = 5e-3` (relative to the tensor's largest gradient, so tiny coordinates don't need
/// impossible relative accuracy). A gradient that is off by 5 % or misses a term fails, which the
/// negative tests in `GradientCheckTests` demonstrate.
///
/// Kinks (ReLU, max-pool): layer tests choose inputs at least `2h` from any kink. Composite networks
/// may set `maximumNonSmoothFraction`: then the one-sided differences `(L(x+h) − L(x))/h` and
/// `(L(x) − L(x−h))/h` are compared too, and a coordinate where they disagree by more than the
/// tolerance (the interval holds a kink) is skipped, as long as no more than that fraction is
/// skipped. Why this is sound: with one kink in the interval, the central difference is the mean of
/// the two one-sided ones and one of those is exact, so the central difference's error is at most
/// half their disagreement; a coordinate that is not skipped is therefore accurate to the
/// tolerance. A wrong analytic gradient is still caught on the smooth coordinates.
enum GradientChecking {
    struct Settings {
        var epsilon: Float = 1e-2
        var relativeTolerance: Double = 2e-2
        var absoluteTolerance: Double = 5e-3
        /// Tensors with more coordinates are checked on a seeded random subset of this size.
        var maximumCoordinates = 400
        var maximumNonSmoothFraction: Double = 0
        var seed: UInt64 = 0x6772_6164
    }

    /// One coordinate that failed.
    struct Mismatch: CustomStringConvertible {
        var index: Int
        var analytic: Double
        var numeric: Double
        var description: String { "[\(index)] analytic \(analytic) vs numeric \(numeric)" }
    }

    /// The outcome for one tensor (the input or one parameter).
    struct TensorReport: CustomStringConvertible {
        var name: String
        var checked: Int
        var skippedNonSmooth: Int
        var largestAnalytic: Double
        var mismatches: [Mismatch]
        var maximumNonSmoothFraction: Double

        var passed: Bool {
            mismatches.isEmpty && checked > 0
                && Double(skippedNonSmooth) <= maximumNonSmoothFraction * Double(checked + skippedNonSmooth)
        }

        var description: String {
            "\(name): \(checked) checked, \(skippedNonSmooth) skipped at kinks, max |grad| \(largestAnalytic), "
                + "\(mismatches.count) mismatches \(mismatches.prefix(5))"
        }
    }

    /// Checks `∂L/∂input` and every parameter gradient of `layer` at `input`.
    static func check(layer: any Layer, input: Matrix, training: Bool, settings: Settings = Settings()) -> [TensorReport] {
        var rng = RandomStream(seed: settings.seed)
        // Analytic gradients from one forward/backward.
        layer.zeroGrad()
        let y0 = layer.forward(input, training: training)
        let weights = Matrix(rows: y0.rows, cols: y0.cols) { _, _ in rng.normal() }
        let inputGradient = layer.backward(weights)
        let parameterGradients = layer.parameters.map(\.gradient)

        func objective(_ x: Matrix) -> Double {
            let y = layer.forward(x, training: training)
            var total = 0.0
            y.withUnsafeBufferPointer { ys in
                weights.withUnsafeBufferPointer { ws in
                    for i in 0..<ys.count { total += Double(ys[i]) * Double(ws[i]) }
                }
            }
            return total
        }

        var reports: [TensorReport] = []
        var x = input
        reports.append(compare(
            name: "input", analytic: inputGradient, settings: settings, rng: &rng,
            read: { i in x.withUnsafeBufferPointer { $0[i] } },
            write: { i, v in x.withUnsafeMutableBufferPointer { $0[i] = v } },
            objective: { objective(x) }))
        for (parameter, gradient) in zip(layer.parameters, parameterGradients) {
            reports.append(compare(
                name: parameter.name, analytic: gradient, settings: settings, rng: &rng,
                read: { i in parameter.value.withUnsafeBufferPointer { $0[i] } },
                write: { i, v in parameter.value.withUnsafeMutableBufferPointer { $0[i] = v } },
                objective: { objective(input) }))
        }
        return reports
    }

    /// Checks a loss function's gradient with respect to its prediction at `prediction`.
    static func check(loss: (Matrix) -> LossResult, at prediction: Matrix, settings: Settings = Settings()) -> TensorReport {
        var rng = RandomStream(seed: settings.seed)
        let analytic = loss(prediction).gradient
        var z = prediction
        return compare(
            name: "prediction", analytic: analytic, settings: settings, rng: &rng,
            read: { i in z.withUnsafeBufferPointer { $0[i] } },
            write: { i, v in z.withUnsafeMutableBufferPointer { $0[i] = v } },
            objective: { Double(loss(z).value) })
    }

    /// Central differences over (a subset of) the coordinates of one tensor.
    private static func compare(
        name: String, analytic: Matrix, settings: Settings, rng: inout RandomStream,
        read: (Int) -> Float, write: (Int, Float) -> Void, objective: () -> Double
    ) -> TensorReport {
        let count = analytic.count
        let indices = count <= settings.maximumCoordinates
            ? Array(0..<count) : rng.choose(settings.maximumCoordinates, from: count).sorted()
        let values = analytic.elements
        let largest = values.reduce(0.0) { max($0, Double(abs($1))) }
        let floor = settings.absoluteTolerance * largest

        func agrees(_ a: Double, _ b: Double) -> Bool {
            abs(a - b) <= settings.relativeTolerance * max(abs(a), abs(b)) + floor
        }

        let base = objective()
        var mismatches: [Mismatch] = []
        var skipped = 0
        for i in indices {
            let original = read(i)
            let plus = original + settings.epsilon, minus = original - settings.epsilon
            write(i, plus)
            let up = objective()
            write(i, minus)
            let down = objective()
            write(i, original)
            let numeric = (up - down) / (Double(plus) - Double(minus))
            if settings.maximumNonSmoothFraction > 0 {
                let forward = (up - base) / (Double(plus) - Double(original))
                let backward = (base - down) / (Double(original) - Double(minus))
                if !agrees(forward, backward) {
                    skipped += 1
                    continue
                }
            }
            let ana = Double(values[i])
            if !agrees(numeric, ana) { mismatches.append(Mismatch(index: i, analytic: ana, numeric: numeric)) }
        }
        return TensorReport(name: name, checked: indices.count - skipped, skippedNonSmooth: skipped,
                            largestAnalytic: largest, mismatches: mismatches,
                            maximumNonSmoothFraction: settings.maximumNonSmoothFraction)
    }
}

/// Seeded test inputs.
enum TestData {
    /// `N(0, σ²)` entries.
    static func normal(rows: Int, cols: Int, standardDeviation: Float = 1, seed: UInt64) -> Matrix {
        var rng = RandomStream(seed: seed)
        return Matrix(rows: rows, cols: cols) { _, _ in rng.normal() * standardDeviation }
    }

    /// Entries with `|x| ≥ margin`: a normal draw pushed away from 0 (keeps ReLU kinks out of
    /// a finite-difference interval of half-width `< margin`).
    static func awayFromZero(rows: Int, cols: Int, margin: Float = 0.1, seed: UInt64) -> Matrix {
        var rng = RandomStream(seed: seed)
        return Matrix(rows: rows, cols: cols) { _, _ in
            let v = rng.normal()
            return v < 0 ? v - margin : v + margin
        }
    }

    /// A random permutation of `spacing · (0..<count)` shifted to be centred: all entries differ
    /// by at least `spacing` (keeps max-pool ties out of a finite-difference interval).
    static func distinct(rows: Int, cols: Int, spacing: Float = 0.05, seed: UInt64) -> Matrix {
        var rng = RandomStream(seed: seed)
        let order = rng.permutation(rows * cols)
        let centre = Float(rows * cols) / 2
        return Matrix(rows: rows, cols: cols, elements: order.map { (Float($0) - centre) * spacing })
    }
}
