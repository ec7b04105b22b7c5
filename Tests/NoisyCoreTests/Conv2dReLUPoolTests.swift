import NoisyCore
import Testing

/// The fused `Conv2dReLUPool` against `Conv2d → ReLU → MaxPool2d`: outputs and every gradient bit
/// for bit, on shapes that hit the kernels' tails (odd channel counts, more than 32 output channels,
/// odd output sizes whose last row / column pooling drops, batches that end in a partial chunk).
@Suite struct Conv2dReLUPoolTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        var input: ImageShape, out: Int, kernel: Int, padding: Int, batch: Int
        var testDescription: String { "\(input) → \(out), k \(kernel), p \(padding), batch \(batch)" }
    }

    static let shapes = [
        Shape(input: ImageShape(channels: 1, height: 28, width: 28), out: 16, kernel: 3, padding: 1, batch: 19),
        Shape(input: ImageShape(channels: 16, height: 14, width: 14), out: 32, kernel: 3, padding: 1, batch: 6),
        Shape(input: ImageShape(channels: 3, height: 7, width: 9), out: 5, kernel: 3, padding: 1, batch: 7),
        Shape(input: ImageShape(channels: 4, height: 6, width: 5), out: 33, kernel: 5, padding: 2, batch: 3),
        Shape(input: ImageShape(channels: 2, height: 9, width: 8), out: 3, kernel: 2, padding: 0, batch: 4),
        // 11 pooled columns (a full block of 8 windows and a tail of 3); 20 channels (a block of 16
        // for the pixel-major transpose and 4 left over); planes of 484 pixels (30 blocks + 4).
        Shape(input: ImageShape(channels: 2, height: 22, width: 22), out: 20, kernel: 3, padding: 1, batch: 5),
    ]

    @Test(arguments: shapes)
    func fusedEqualsTheThreeLayers(shape: Shape) {
        var rng = RandomStream(seed: 21)
        let conv = Conv2d(input: shape.input, outChannels: shape.out, kernelSize: shape.kernel, padding: shape.padding, rng: &rng)
        let twin = Conv2d(input: shape.input, weight: conv.weight.value, bias: conv.bias?.value,
                          kernelSize: shape.kernel, padding: shape.padding)
        #expect(Conv2dReLUPool.supports(conv))
        let fused = Conv2dReLUPool(conv)
        let plain = Sequential(twin, ReLU(), MaxPool2d(input: twin.outputShape))
        let x = TestData.normal(rows: shape.batch, cols: shape.input.count, seed: 22)
        let y = fused.forward(x, training: true), reference = plain.forward(x, training: true)
        #expect(y.rows == reference.rows && y.cols == reference.cols)
        #expect(y == reference, "forward")   // Matrix == is bitwise
        // About half the convolution outputs are negative, so many windows tie at 0 after ReLU.
        #expect(y.elements.filter { $0 == 0 }.count > 0)
        let g = TestData.normal(rows: shape.batch, cols: y.cols, seed: 23)
        let dx = fused.backward(g), dxReference = plain.backward(g)
        #expect(dx == dxReference, "input gradient")
        #expect(conv.weight.gradient == twin.weight.gradient, "weight gradient")
        #expect(conv.bias!.gradient == twin.bias!.gradient, "bias gradient")
        // A second backward accumulates onto the gradients in the same order.
        _ = fused.forward(x, training: true); _ = plain.forward(x, training: true)
        _ = fused.backward(g); _ = plain.backward(g)
        #expect(conv.weight.gradient == twin.weight.gradient, "accumulated weight gradient")
    }

    @Test func skippingTheInputGradientKeepsTheParameterGradients() {
        var rng = RandomStream(seed: 31)
        let shape = ImageShape(channels: 1, height: 12, width: 12)
        let conv = Conv2d(input: shape, outChannels: 6, kernelSize: 3, padding: 1, rng: &rng)
        let twin = Conv2d(input: shape, weight: conv.weight.value, bias: conv.bias?.value, kernelSize: 3, padding: 1)
        twin.computesInputGradient = false
        let x = TestData.normal(rows: 5, cols: shape.count, seed: 32)
        let g = TestData.normal(rows: 5, cols: conv.outputShape.count, seed: 33)
        _ = conv.forward(x, training: true); _ = twin.forward(x, training: true)
        let dx = conv.backward(g), skipped = twin.backward(g)
        #expect(dx.elements.contains { $0 != 0 })
        #expect(skipped.rows == 5 && skipped.cols == shape.count && skipped.elements.allSatisfy { $0 == 0 })
        #expect(conv.weight.gradient == twin.weight.gradient && conv.bias!.gradient == twin.bias!.gradient)
    }

    /// NaN in the input: the fused pooling keeps MaxPool2d's rule (a NaN candidate replaces a
    /// number, ReLU leaves NaN alone), and the outputs equal the three layers' bit for bit.
    @Test func nanFollowsMaxPoolsRule() {
        var rng = RandomStream(seed: 41)
        let shape = ImageShape(channels: 1, height: 18, width: 18)
        let conv = Conv2d(input: shape, outChannels: 4, kernelSize: 3, padding: 1, rng: &rng)
        let twin = Conv2d(input: shape, weight: conv.weight.value, bias: conv.bias?.value, kernelSize: 3, padding: 1)
        let fused = Conv2dReLUPool(conv)
        let plain = Sequential(twin, ReLU(), MaxPool2d(input: twin.outputShape))
        var x = TestData.normal(rows: 2, cols: shape.count, seed: 42)
        for index in [0, 37, 100, 200, 323, 324 + 5, 324 + 170] { x[index / shape.count, index % shape.count] = .nan }
        let y = fused.forward(x, training: false), reference = plain.forward(x, training: false)
        #expect(y.elements.contains { $0.isNaN })
        #expect(y.elements.map(\.bitPattern) == reference.elements.map(\.bitPattern))
    }
}
