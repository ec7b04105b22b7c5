/// A labelled image data set: one image per matrix row, one class index per image.
///
/// Pixel values are `Float` in [0, 1]: the 0–255 bytes of MNIST-style data divided by 255 (the
/// scale a CNN trains on directly). Images are rows of `images`, each `shape.count` values
/// long, channel-major then row-major (C·H·W). Labels are in `0..<classCount`.
public struct Dataset: Sendable {
    /// A short name for messages and reports (`fmnist-test`, `digits`, …).
    public let name: String
    /// N × (C·H·W) pixel values in [0, 1].
    public let images: Matrix
    /// N class indices in `0..<classCount`.
    public let labels: [Int]
    /// The number of classes (labels need not use all of them).
    public let classCount: Int
    /// The shape of each image.
    public let shape: ImageShape

    /// A data set, checked: one label per row, rows of `shape.count` values, labels in range.
    /// - Throws: ``DataError`` `.shapeMismatch` or `.invalidArgument` naming the data set.
    public init(name: String, images: Matrix, labels: [Int], classCount: Int, shape: ImageShape) throws {
        guard images.rows == labels.count else {
            throw DataError(.shapeMismatch, "data set \(name) has \(images.rows) images but \(labels.count) labels")
        }
        guard images.cols == shape.count else {
            throw DataError(.shapeMismatch, "data set \(name) has rows of \(images.cols) values, its image shape \(shape) needs \(shape.count)")
        }
        guard classCount > 0 else { throw DataError(.invalidArgument, "data set \(name) needs at least one class, got \(classCount)") }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
            throw DataError(.invalidArgument, "data set \(name): label \(labels[bad]) of sample \(bad) is outside 0..<\(classCount)")
        }
        self.init(unchecked: name, images: images, labels: labels, classCount: classCount, shape: shape)
    }

    init(unchecked name: String, images: Matrix, labels: [Int], classCount: Int, shape: ImageShape) {
        self.name = name
        self.images = images
        self.labels = labels
        self.classCount = classCount
        self.shape = shape
    }

    /// Number of samples.
    public var count: Int { labels.count }

    /// How many samples each class has, indexed by class.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// The samples at `indices`, in that order (indices may repeat).
    public func subset(_ indices: [Int], name newName: String? = nil) -> Dataset {
        let cols = images.cols
        var out = Matrix(rows: indices.count, cols: cols)
        images.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                guard let s = source.baseAddress, let t = target.baseAddress else { return }
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < count, "subset index \(index) out of 0..<\(count)")
                    (t + row * cols).update(from: s + index * cols, count: cols)
                }
            }
        }
        return Dataset(unchecked: newName ?? name, images: out, labels: indices.map { labels[$0] }, classCount: classCount, shape: shape)
    }

    /// The same images with each label `l` replaced by `mapping[l]`, in `0..<classCount`.
    /// - Throws: ``DataError`` `.invalidArgument` when `mapping` does not cover every class or
    ///   maps outside `0..<classCount`.
    public func relabeled(_ mapping: [Int], classCount newClassCount: Int, name newName: String? = nil) throws -> Dataset {
        guard mapping.count == classCount else {
            throw DataError(.invalidArgument, "relabelling \(name) needs a target for each of its \(classCount) classes, got \(mapping.count)")
        }
        return try Dataset(name: newName ?? name, images: images, labels: labels.map { mapping[$0] }, classCount: newClassCount, shape: shape)
    }

    /// This data set with other images of the same count (used by the transforms).
    func replacingImages(_ newImages: Matrix, shape newShape: ImageShape, name newName: String? = nil) -> Dataset {
        precondition(newImages.rows == count && newImages.cols == newShape.count)
        return Dataset(unchecked: newName ?? name, images: newImages, labels: labels, classCount: classCount, shape: newShape)
    }
}

extension Dataset {
    /// The same data under another name.
    public func renamed(_ newName: String) -> Dataset {
        Dataset(unchecked: newName, images: images, labels: labels, classCount: classCount, shape: shape)
    }
}
