/// Image transforms of whole data sets. Random ones draw from a ``RandomStream`` derived per
/// image (`derived(purpose, index)`), so image i's draw does not depend on the others: the same
/// seed gives the same images in any order or subset of the work.
extension Dataset {
    /// Every image resized to `height × width` (each channel bilinearly, see
    /// ``ImageTransforms/resizeBilinear(_:height:width:into:height:width:)``).
    public func resized(height: Int, width: Int) -> Dataset {
        precondition(height > 0 && width > 0, "resize to \(height)×\(width): sizes must be positive")
        let newShape = ImageShape(channels: shape.channels, height: height, width: width)
        let inPlane = shape.height * shape.width, outPlane = height * width
        var out = Matrix(rows: count, cols: newShape.count)
        images.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                guard let s = source.baseAddress, let t = target.baseAddress else { return }
                for plane in 0..<(count * shape.channels) {
                    ImageTransforms.resizeBilinear(
                        s + plane * inPlane, height: shape.height, width: shape.width,
                        into: t + plane * outPlane, height: height, width: width)
                }
            }
        }
        return replacingImages(out, shape: newShape)
    }

    /// Intensities mapped linearly from `source` to `target` (lower bound to lower bound, upper to
    /// upper); values outside `source` are clamped into `target`.
    public func rescaled(from source: ClosedRange<Float>, to target: ClosedRange<Float>) -> Dataset {
        precondition(source.upperBound > source.lowerBound, "rescale from an empty range \(source)")
        let scale = (target.upperBound - target.lowerBound) / (source.upperBound - source.lowerBound)
        let offset = target.lowerBound - source.lowerBound * scale
        var out = images
        out.withUnsafeMutableBufferPointer { values in
            for i in values.indices {
                values[i] = min(max(values[i] * scale + offset, target.lowerBound), target.upperBound)
            }
        }
        return replacingImages(out, shape: shape)
    }

    /// Every image rotated by the same angle (degrees, counter-clockwise, zero fill).
    public func rotated(byDegrees degrees: Double) -> Dataset {
        rotated { _ in degrees }
    }

    /// Each image rotated by its own angle drawn uniformly from [−maxDegrees, maxDegrees], from
    /// `random.derived("rotation", i)` for image i. Returns the data set and the angles.
    public func rotatedRandomly(maxDegrees: Double, random: RandomStream) -> (dataset: Dataset, degrees: [Double]) {
        let angles = (0..<count).map { i -> Double in
            var stream = random.derived("rotation", UInt64(i))
            return (2 * stream.nextDouble() - 1) * maxDegrees
        }
        return (rotated { angles[$0] }, angles)
    }

    private func rotated(_ angle: (Int) -> Double) -> Dataset {
        let plane = shape.height * shape.width
        var out = Matrix(rows: count, cols: shape.count)
        images.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                guard let s = source.baseAddress, let t = target.baseAddress else { return }
                for i in 0..<count {
                    let degrees = angle(i)
                    for channel in 0..<shape.channels {
                        let offset = (i * shape.channels + channel) * plane
                        ImageTransforms.rotateBilinear(s + offset, height: shape.height, width: shape.width, into: t + offset, degrees: degrees)
                    }
                }
            }
        }
        return replacingImages(out, shape: shape)
    }

    /// Each pixel plus an independent N(0, σ²) deviate, clamped to [0, 1]; image i draws from
    /// `random.derived("pixel-noise", i)`. σ is in pixel units of the [0, 1] scale (0.2 ≈ 51/255).
    public func withGaussianNoise(standardDeviation sigma: Float, random: RandomStream) -> Dataset {
        precondition(sigma >= 0, "noise standard deviation must be non-negative, got \(sigma)")
        let cols = images.cols
        var out = images
        out.withUnsafeMutableBufferPointer { values in
            for i in 0..<count {
                var stream = random.derived("pixel-noise", UInt64(i))
                for j in (i * cols)..<((i + 1) * cols) {
                    values[j] = min(max(values[j] + sigma * stream.normal(), 0), 1)
                }
            }
        }
        return replacingImages(out, shape: shape)
    }
}

/// Train/test splits, fixed by a ``RandomStream``.
extension Dataset {
    /// A split of each class separately: round(fraction · n_c) of class c's n_c samples, chosen
    /// at random, go to train, the rest to test, so both parts keep the class proportions (to
    /// within one sample per class). Both parts come out in random order.
    /// - Throws: ``DataError`` `.invalidArgument` unless 0 < fraction < 1.
    public func stratifiedSplit(trainFraction fraction: Double, random: RandomStream) throws -> (train: Dataset, test: Dataset) {
        try Self.checkFraction(fraction)
        var byClass = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() { byClass[label].append(index) }
        var train = [Int](), test = [Int]()
        for c in 0..<classCount {
            var members = byClass[c]
            var stream = random.derived("stratified-class", UInt64(c))
            stream.shuffle(&members)
            let take = Int((fraction * Double(members.count)).rounded(.toNearestOrAwayFromZero))
            train += members[..<take]
            test += members[take...]
        }
        var order = random.derived("stratified-order")
        order.shuffle(&train)
        order.shuffle(&test)
        return (subset(train, name: name + "/train"), subset(test, name: name + "/test"))
    }

    /// A split ignoring classes: a random round(fraction · N) samples to train, the rest to test.
    public func split(trainFraction fraction: Double, random: RandomStream) throws -> (train: Dataset, test: Dataset) {
        try Self.checkFraction(fraction)
        var stream = random.derived("split")
        let permutation = stream.permutation(count)
        let take = Int((fraction * Double(count)).rounded(.toNearestOrAwayFromZero))
        return (subset(Array(permutation[..<take]), name: name + "/train"), subset(Array(permutation[take...]), name: name + "/test"))
    }

    private static func checkFraction(_ fraction: Double) throws {
        guard fraction > 0, fraction < 1 else {
            throw DataError(.invalidArgument, "train fraction must be strictly between 0 and 1, got \(fraction)")
        }
    }
}
