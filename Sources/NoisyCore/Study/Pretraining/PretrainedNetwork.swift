/// The study's CNN with its named tensors: a feature extractor (everything up to the penultimate
/// ReLU) and a linear classification head.
///
/// A reference type like its layers: it belongs to the thread that uses it.
public final class PretrainedNetwork {
    public let architecture: PretrainArchitecture
    let conv1: Conv2d
    let conv2: Conv2d
    let fc: Linear
    let head: Linear
    /// Image rows → D-dimensional features (after the last ReLU).
    public let extractor: Sequential
    /// Image rows → class logits.
    public let classifier: Sequential

    /// A freshly initialised network (PyTorch's default initialisation, drawn from `rng` in layer order).
    public convenience init(architecture a: PretrainArchitecture, rng: inout RandomStream) {
        let conv1 = Conv2d(input: a.input, outChannels: a.conv1Channels, kernelSize: a.kernelSize, padding: a.padding, rng: &rng, name: "conv1")
        let conv2 = Conv2d(input: a.pool1Output, outChannels: a.conv2Channels, kernelSize: a.kernelSize, padding: a.padding, rng: &rng, name: "conv2")
        let fc = Linear(inputs: a.pool2Output.count, outputs: a.featureDimension, rng: &rng, name: "fc")
        let head = Linear(inputs: a.featureDimension, outputs: a.classCount, rng: &rng, name: "head")
        self.init(architecture: a, conv1: conv1, conv2: conv2, fc: fc, head: head)
    }

    /// Why `tensors` cannot make a network of architecture `a` (a tensor missing or of the wrong
    /// shape), or nil when they can.
    public static func tensorProblem(_ tensors: [String: Matrix], architecture a: PretrainArchitecture) -> String? {
        for (name, rows, cols) in a.tensorShapes {
            guard let t = tensors[name] else { return "tensor \(name) is missing" }
            guard t.rows == rows, t.cols == cols else {
                return "tensor \(name) is \(t.rows)×\(t.cols), the architecture needs \(rows)×\(cols)"
            }
        }
        return nil
    }

    /// A network from named tensors (as ``namedTensors`` lists them).
    /// - Precondition: ``tensorProblem(_:architecture:)`` finds no problem with them.
    public convenience init(architecture a: PretrainArchitecture, tensors: [String: Matrix]) {
        precondition(Self.tensorProblem(tensors, architecture: a) == nil, Self.tensorProblem(tensors, architecture: a) ?? "")
        let conv1 = Conv2d(input: a.input, weight: tensors["conv1.weight"]!, bias: tensors["conv1.bias"], kernelSize: a.kernelSize, padding: a.padding, name: "conv1")
        let conv2 = Conv2d(input: a.pool1Output, weight: tensors["conv2.weight"]!, bias: tensors["conv2.bias"], kernelSize: a.kernelSize, padding: a.padding, name: "conv2")
        let fc = Linear(weight: tensors["fc.weight"]!, bias: tensors["fc.bias"], name: "fc")
        let head = Linear(weight: tensors["head.weight"]!, bias: tensors["head.bias"], name: "head")
        self.init(architecture: a, conv1: conv1, conv2: conv2, fc: fc, head: head)
    }

    private init(architecture: PretrainArchitecture, conv1: Conv2d, conv2: Conv2d, fc: Linear, head: Linear) {
        self.architecture = architecture
        self.conv1 = conv1
        self.conv2 = conv2
        self.fc = fc
        self.head = head
        conv1.computesInputGradient = false  // its input is the images
        extractor = Sequential(Conv2dReLUPool.stage(conv1) + Conv2dReLUPool.stage(conv2) + [Flatten(), fc, ReLU()])
        classifier = Sequential(extractor, head)
    }

    /// The tensors in file order (``PretrainArchitecture/tensorShapes``).
    public var namedTensors: [(name: String, value: Matrix)] {
        [("conv1.weight", conv1.weight.value), ("conv1.bias", conv1.bias!.value),
         ("conv2.weight", conv2.weight.value), ("conv2.bias", conv2.bias!.value),
         ("fc.weight", fc.weight.value), ("fc.bias", fc.bias!.value),
         ("head.weight", head.weight.value), ("head.bias", head.bias!.value)]
    }

    /// Evaluation-mode features of `images` (rows of `architecture.input.count` values), computed
    /// in batches of `batchSize` rows so memory stays bounded. N × D; rows are independent, so the
    /// result does not depend on `batchSize` except through GEMM blocking (fixed per shape).
    public func features(of images: Matrix, batchSize: Int = 500) -> Matrix {
        mapBatches(images, batchSize: batchSize, width: architecture.featureDimension) { extractor.forward($0, training: false) }
    }

    /// Evaluation-mode logits of `images`, in batches. N × classes.
    public func logits(of images: Matrix, batchSize: Int = 500) -> Matrix {
        mapBatches(images, batchSize: batchSize, width: architecture.classCount) { classifier.forward($0, training: false) }
    }

    private func mapBatches(_ images: Matrix, batchSize: Int, width: Int, _ body: (Matrix) -> Matrix) -> Matrix {
        precondition(images.cols == architecture.input.count, "PretrainedNetwork: images have \(images.cols) values per row, need \(architecture.input.count)")
        var out = Matrix(rows: images.rows, cols: width)
        var start = 0
        while start < images.rows {
            let end = min(images.rows, start + max(1, batchSize))
            let batch = images.withView { $0.rows(start..<end).copy() }
            let y = body(batch)
            out.withUnsafeMutableBufferPointer { o in
                y.withUnsafeBufferPointer { ys in
                    (o.baseAddress! + start * width).update(from: ys.baseAddress!, count: (end - start) * width)
                }
            }
            start = end
        }
        return out
    }
}
