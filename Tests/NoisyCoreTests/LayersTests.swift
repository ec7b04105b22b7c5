import NoisyCore
import Testing

/// Forward passes against direct `Double` computations, initialisation, running statistics.
@Suite struct LayersTests {
    /// A direct (naive) NCHW convolution in `Double`: `y[o, i, j] = b[o] + Σ_{c,u,v} w[o, c, u, v]·x[c, i+u−p, j+v−p]`.
    private func naiveConvolution(_ x: Matrix, shape: ImageShape, weight: Matrix, bias: Matrix?, k: Int, p: Int) -> [[Double]] {
        let outH = shape.height + 2 * p - k + 1, outW = shape.width + 2 * p - k + 1
        let outC = weight.rows
        return (0..<x.rows).map { n in
            var y = [Double](repeating: 0, count: outC * outH * outW)
            for o in 0..<outC {
                for i in 0..<outH {
                    for j in 0..<outW {
                        var s = bias.map { Double($0[0, o]) } ?? 0
                        for c in 0..<shape.channels {
                            for u in 0..<k {
                                for v in 0..<k {
                                    let iy = i + u - p, ix = j + v - p
                                    guard iy >= 0, iy < shape.height, ix >= 0, ix < shape.width else { continue }
                                    s += Double(weight[o, (c * k + u) * k + v]) * Double(x[n, (c * shape.height + iy) * shape.width + ix])
                                }
                            }
                        }
                        y[(o * outH + i) * outW + j] = s
                    }
                }
            }
            return y
        }
    }

    @Test(arguments: [(3, 1), (3, 0), (5, 2), (4, 1), (1, 0)])
    func conv2dMatchesNaiveConvolution(kernelSize: Int, padding: Int) {
        var rng = RandomStream(seed: 1)
        let shape = ImageShape(channels: 3, height: 7, width: 9)
        let layer = Conv2d(input: shape, outChannels: 4, kernelSize: kernelSize, padding: padding, rng: &rng)
        let x = TestData.normal(rows: 3, cols: shape.count, seed: 2)
        let y = layer.forward(x, training: true)
        #expect(layer.outputShape == ImageShape(channels: 4, height: 7 + 2 * padding - kernelSize + 1, width: 9 + 2 * padding - kernelSize + 1))
        #expect(y.rows == 3 && y.cols == layer.outputShape.count)
        let reference = naiveConvolution(x, shape: shape, weight: layer.weight.value, bias: layer.bias?.value, k: kernelSize, p: padding)
        for n in 0..<3 {
            for i in 0..<y.cols {
                // Float sums of ≤ 75 products of size ~0.2: 1e-5 absolute is ~100 ulps of slack.
                #expect(abs(Double(y[n, i]) - reference[n][i]) <= 1e-5, "sample \(n), output \(i)")
            }
        }
    }

    /// The batch runs in chunks of samples per GEMM: a layer big enough for one sample per chunk
    /// and a small one (the whole batch in one chunk) must both agree with sample-by-sample calls:
    /// outputs and input gradients bitwise (the same FMA chains), weight and bias gradients to
    /// rounding (they sum the chunk in another order).
    @Test(arguments: [(16, 32), (2, 6)])
    func conv2dChunksAgreeWithSingleSamples(channels: Int, side: Int) {
        var rng = RandomStream(seed: 11)
        let shape = ImageShape(channels: channels, height: side, width: side)
        let batched = Conv2d(input: shape, outChannels: 8, kernelSize: 3, padding: 1, rng: &rng)
        let single = Conv2d(input: shape, weight: batched.weight.value, bias: batched.bias?.value, kernelSize: 3, padding: 1)
        let batch = 5
        #expect(batched.chunkSize(batch: batch) == (channels == 16 ? 1 : batch))
        let x = TestData.normal(rows: batch, cols: shape.count, seed: 12)
        let g = TestData.normal(rows: batch, cols: batched.outputShape.count, seed: 13)
        let y = batched.forward(x, training: true)
        let dx = batched.backward(g)
        for n in 0..<batch {
            let xn = Matrix(rows: 1, cols: shape.count) { _, c in x[n, c] }
            let gn = Matrix(rows: 1, cols: g.cols) { _, c in g[n, c] }
            let yn = single.forward(xn, training: true)
            let dxn = single.backward(gn)
            #expect((0..<y.cols).allSatisfy { y[n, $0] == yn[0, $0] }, "output of sample \(n)")
            #expect((0..<dx.cols).allSatisfy { dx[n, $0] == dxn[0, $0] }, "input gradient of sample \(n)")
        }
        let dw = batched.weight.gradient.elements, dwSingle = single.weight.gradient.elements
        let scale = dwSingle.map { abs($0) }.max()!
        #expect(zip(dw, dwSingle).allSatisfy { abs($0 - $1) <= 1e-5 * scale }, "weight gradient to rounding")
        let db = batched.bias!.gradient.elements, dbSingle = single.bias!.gradient.elements
        #expect(zip(db, dbSingle).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }, "bias gradient to rounding")
    }

    @Test func conv2dInitialisationFollowsPyTorch() {
        var rng = RandomStream(seed: 3)
        let layer = Conv2d(input: ImageShape(channels: 2, height: 5, width: 5), outChannels: 8, rng: &rng)
        let bound = 1 / Float(2 * 9).squareRoot()
        #expect(layer.weight.value.rows == 8 && layer.weight.value.cols == 18)
        #expect(layer.weight.value.elements.allSatisfy { abs($0) <= bound })
        #expect(layer.bias!.value.elements.allSatisfy { abs($0) <= bound })
        // The draws fill the range, not a sliver of it.
        #expect(layer.weight.value.elements.map { abs($0) }.max()! > 0.8 * bound)
        let zeroBias = Conv2d(input: ImageShape(channels: 2, height: 5, width: 5), outChannels: 8, bias: .zeros, rng: &rng)
        #expect(zeroBias.bias!.value.elements.allSatisfy { $0 == 0 })
    }

    @Test func linearForwardAndInitialisation() {
        var rng = RandomStream(seed: 4)
        let layer = Linear(inputs: 40, outputs: 7, rng: &rng)
        let bound = 1 / Float(40).squareRoot()
        #expect(layer.weight.value.rows == 7 && layer.weight.value.cols == 40)   // out × in
        #expect(layer.weight.value.elements.allSatisfy { abs($0) <= bound })
        #expect(layer.bias!.value.elements.allSatisfy { abs($0) <= bound })
        // Weights first, row-major, then the bias, from the same stream.
        var replay = RandomStream(seed: 4)
        let w = Initialization.uniform(rows: 7, cols: 40, bound: bound, rng: &replay)
        let b = Initialization.uniform(rows: 1, cols: 7, bound: bound, rng: &replay)
        #expect(layer.weight.value == w && layer.bias!.value == b)

        let x = TestData.normal(rows: 5, cols: 40, seed: 5)
        let y = layer.forward(x, training: false)
        for r in 0..<5 {
            for o in 0..<7 {
                var s = Double(b[0, o])
                for i in 0..<40 { s += Double(x[r, i]) * Double(w[o, i]) }
                #expect(abs(Double(y[r, o]) - s) <= 1e-5)
            }
        }
        let head = Linear(inputs: 40, outputs: 3, bias: .zeros, rng: &rng)
        #expect(head.bias!.value == Matrix(rows: 1, cols: 3))
        let explicit = Linear(weight: w, bias: nil)
        #expect(explicit.parameters.count == 1 && explicit.inputs == 40 && explicit.outputs == 7)
    }

    @Test func batchNormTrainingNormalisesAndUpdatesRunningStatistics() {
        let bn = BatchNorm1d(features: 20)
        var rng = RandomStream(seed: 6)
        let x = Matrix(rows: 32, cols: 20) { _, c in Float(c) + Float(c + 1) * rng.normal() }
        let y = bn.forward(x, training: true)
        let (mean, variance) = Kernels.columnMeanAndVariance(y, unbiased: false)
        for c in 0..<20 {
            #expect(abs(mean[0, c]) <= 1e-5)
            // Biased variance of x̂ is σ²/(σ² + eps).
            #expect(abs(variance[0, c] - 1) <= 1e-4)
        }
        // Running statistics: momentum 0.1 towards the mean and the *unbiased* variance.
        let (xm, xv) = Kernels.columnMeanAndVariance(x, unbiased: true)
        for c in 0..<20 {
            #expect(abs(bn.runningMean[0, c] - 0.1 * xm[0, c]) <= 1e-6 * max(1, abs(xm[0, c])))
            #expect(abs(bn.runningVariance[0, c] - (0.9 + 0.1 * xv[0, c])) <= 1e-5 * max(1, xv[0, c]))
        }
        // Evaluation uses the running statistics: (x − rm)/√(rv + eps)·γ + β.
        bn.gamma.value = Matrix(rows: 1, cols: 20) { _, c in 1 + 0.1 * Float(c) }
        bn.beta.value = Matrix(rows: 1, cols: 20) { _, c in -Float(c) }
        let z = bn.forward(x, training: false)
        for r in 0..<32 {
            for c in 0..<20 {
                let expected = (Double(x[r, c]) - Double(bn.runningMean[0, c])) / (Double(bn.runningVariance[0, c]) + 1e-5).squareRoot()
                    * Double(bn.gamma.value[0, c]) + Double(bn.beta.value[0, c])
                #expect(abs(Double(z[r, c]) - expected) <= 1e-4 * max(1, abs(expected)))
            }
        }
        // Evaluation leaves the running statistics alone.
        let frozen = bn.runningMean
        _ = bn.forward(x, training: false)
        #expect(bn.runningMean == frozen)
    }

    @Test func maxPoolPicksWindowMaximaAndRoutesGradients() {
        let shape = ImageShape(channels: 2, height: 5, width: 4)   // the odd last row is dropped
        let pool = MaxPool2d(input: shape)
        #expect(pool.outputShape == ImageShape(channels: 2, height: 2, width: 2))
        let x = TestData.normal(rows: 2, cols: shape.count, seed: 7)
        let y = pool.forward(x, training: true)
        for n in 0..<2 {
            for c in 0..<2 {
                for i in 0..<2 {
                    for j in 0..<2 {
                        let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map { x[n, (c * 5 + 2 * i + $0.0) * 4 + 2 * j + $0.1] }
                        #expect(y[n, (c * 2 + i) * 2 + j] == window.max()!)
                    }
                }
            }
        }
        let g = TestData.normal(rows: 2, cols: 8, seed: 8)
        let dx = pool.backward(g)
        // Each output gradient lands on exactly its winner; all else is 0.
        for n in 0..<2 {
            #expect(dx.row(n).filter { $0 != 0 }.count == 8)
            #expect(abs(dx.row(n).reduce(0, +) - g.row(n).reduce(0, +)) <= 1e-5)
        }
        // Ties go to the first in window order.
        let ties = MaxPool2d(input: ImageShape(channels: 1, height: 2, width: 2))
        _ = ties.forward(Matrix(rows: 1, cols: 4, elements: [1, 3, 3, 3]), training: true)
        #expect(ties.backward(Matrix(rows: 1, cols: 1, elements: [1])) == Matrix(rows: 1, cols: 4, elements: [0, 1, 0, 0]))
    }

    @Test func sequentialComposesAndCollectsParameters() {
        var rng = RandomStream(seed: 9)
        let net = Sequential(Linear(inputs: 4, outputs: 8, rng: &rng, name: "a"), ReLU(), Flatten(),
                             BatchNorm1d(features: 8, name: "b"), Linear(inputs: 8, outputs: 2, rng: &rng, name: "c"))
        #expect(net.parameters.map(\.name) == ["a.weight", "a.bias", "b.weight", "b.bias", "c.weight", "c.bias"])
        #expect(net.parameterCount == 4 * 8 + 8 + 8 + 8 + 8 * 2 + 2)
        #expect(net.description == "Sequential(Linear(4→8) → ReLU → Flatten → BatchNorm1d(8) → Linear(8→2))")
        let x = TestData.normal(rows: 6, cols: 4, seed: 10)
        var manual = x
        for layer in net.layers { manual = layer.forward(manual, training: true) }
        #expect(net.forward(x, training: true) == manual)
        let flatten = Flatten()
        #expect(flatten.forward(x, training: true) == x && flatten.backward(x) == x)
    }

    @Test func gradientsAccumulateUntilZeroGrad() {
        var rng = RandomStream(seed: 11)
        let layer = Linear(inputs: 3, outputs: 2, rng: &rng)
        let x = TestData.normal(rows: 4, cols: 3, seed: 12), g = TestData.normal(rows: 4, cols: 2, seed: 13)
        _ = layer.forward(x, training: true)
        _ = layer.backward(g)
        let once = layer.weight.gradient
        _ = layer.forward(x, training: true)
        _ = layer.backward(g)
        var twice = once
        Kernels.scale(&twice, by: 2)
        #expect(layer.weight.gradient == twice)
        layer.zeroGrad()
        #expect(layer.weight.gradient == Matrix(rows: 2, cols: 3) && layer.bias!.gradient == Matrix(rows: 1, cols: 2))
    }
}
