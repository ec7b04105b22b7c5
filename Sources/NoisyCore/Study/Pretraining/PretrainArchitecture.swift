/// The shape of the study's small CNN, derived from a ``PretrainSpec``:
/// `Conv2d(1→c1, 3×3, pad 1) → ReLU → MaxPool2d → Conv2d(c1→c2, 3×3, pad 1) → ReLU → MaxPool2d →
/// Flatten → Linear(c2·(H/4)·(W/4) → D) → ReLU → [feature] → Linear(D → classes)`.
///
/// A plain value: the model file stores it (as canonical JSON) so a reader rebuilds the same layers.
public struct PretrainArchitecture: Codable, Hashable, Sendable {
    public var input: ImageShape
    public var conv1Channels: Int
    public var conv2Channels: Int
    public var featureDimension: Int
    public var classCount: Int
    public var kernelSize: Int
    public var padding: Int

    public init(input: ImageShape = ImageShape(channels: 1, height: 28, width: 28), conv1Channels: Int,
                conv2Channels: Int, featureDimension: Int, classCount: Int = 10, kernelSize: Int = 3, padding: Int = 1) {
        self.input = input
        self.conv1Channels = conv1Channels
        self.conv2Channels = conv2Channels
        self.featureDimension = featureDimension
        self.classCount = classCount
        self.kernelSize = kernelSize
        self.padding = padding
    }

    /// The architecture a pre-training with `spec` builds (Fashion-MNIST: 1×28×28, 10 classes).
    public init(spec: PretrainSpec) {
        self.init(conv1Channels: spec.conv1Channels, conv2Channels: spec.conv2Channels,
                  featureDimension: spec.featureDimension)
    }

    /// Spatial size after each conv (stride 1) and pool (÷2).
    var conv1Output: ImageShape {
        ImageShape(channels: conv1Channels, height: input.height + 2 * padding - kernelSize + 1,
                   width: input.width + 2 * padding - kernelSize + 1)
    }
    var pool1Output: ImageShape {
        ImageShape(channels: conv1Channels, height: conv1Output.height / 2, width: conv1Output.width / 2)
    }
    var conv2Output: ImageShape {
        ImageShape(channels: conv2Channels, height: pool1Output.height + 2 * padding - kernelSize + 1,
                   width: pool1Output.width + 2 * padding - kernelSize + 1)
    }
    var pool2Output: ImageShape {
        ImageShape(channels: conv2Channels, height: conv2Output.height / 2, width: conv2Output.width / 2)
    }

    /// The named tensors of the network, in file order, with their shapes (rows × cols).
    public var tensorShapes: [(name: String, rows: Int, cols: Int)] {
        let k2 = kernelSize * kernelSize
        return [
            ("conv1.weight", conv1Channels, input.channels * k2), ("conv1.bias", 1, conv1Channels),
            ("conv2.weight", conv2Channels, conv1Channels * k2), ("conv2.bias", 1, conv2Channels),
            ("fc.weight", featureDimension, pool2Output.count), ("fc.bias", 1, featureDimension),
            ("head.weight", classCount, featureDimension), ("head.bias", 1, classCount),
        ]
    }

    /// Why this architecture cannot be built, or nil when it can.
    public var problem: String? {
        if input.channels <= 0 || input.height <= 0 || input.width <= 0 { return "input shape \(input) is not positive" }
        if conv1Channels <= 0 || conv2Channels <= 0 { return "conv channels \(conv1Channels), \(conv2Channels) must be positive" }
        if featureDimension <= 0 { return "feature dimension \(featureDimension) must be positive" }
        if classCount < 2 { return "class count \(classCount) must be at least 2" }
        if kernelSize <= 0 || padding < 0 { return "kernel \(kernelSize) / padding \(padding) invalid" }
        if conv1Output.height < 2 || conv1Output.width < 2 || conv2Output.height < 2 || conv2Output.width < 2 {
            return "input \(input) is too small for two conv+pool stages"
        }
        let total = tensorShapes.reduce(0) { $0 + $1.rows * $1.cols }
        if total > 200_000_000 { return "the network would have \(total) parameters (limit 200,000,000)" }
        return nil
    }
}
