import NoisyCore
import Testing

@Suite struct DataTransformTests {
    static func dataset(_ images: [[Float]], side: Int, labels: [Int]? = nil, classCount: Int = 2) throws -> Dataset {
        try Dataset(
            name: "test", images: Matrix(rows: images.count, cols: side * side, elements: images.flatMap { $0 }),
            labels: labels ?? [Int](repeating: 0, count: images.count), classCount: classCount, shape: ImageShape(height: side, width: side))
    }

    @Test(arguments: [4, 5])
    func rotationBy90DegreesMovesPixelsExactly(side: Int) throws {
        let image = (0..<(side * side)).map { Float($0 + 1) / Float(side * side) }
        let rotated = try Self.dataset([image], side: side).rotated(byDegrees: 90).images
        // Counter-clockwise as viewed: output (row y, col x) = input (row x, col side−1−y);
        // the top-right corner goes to the top-left.
        for y in 0..<side {
            for x in 0..<side {
                #expect(rotated[0, y * side + x] == image[x * side + (side - 1 - y)], "pixel (\(y), \(x))")
            }
        }
        #expect(rotated[0, 0] == image[side - 1])
        // Four quarter turns and no turn give the image back.
        var turned = try Self.dataset([image], side: side)
        for _ in 0..<4 { turned = turned.rotated(byDegrees: 90) }
        #expect(turned.images.elements == image)
        #expect(try Self.dataset([image], side: side).rotated(byDegrees: 0).images.elements == image)
    }

    @Test func rotationFillsOutsideWithZeroAndKeepsTheCentre() throws {
        let side = 9
        let ones = try Self.dataset([[Float](repeating: 1, count: side * side)], side: side).rotated(byDegrees: 45).images
        #expect(ones[0, 4 * side + 4] == 1, "the centre pixel of an odd image stays")
        #expect(ones[0, 0] == 0, "a corner comes from outside the image after 45°")
    }

    @Test func resizeKeepsConstantsAndInterpolatesBetweenPixels() throws {
        let constant = try Self.dataset([[Float](repeating: 0.375, count: 64)], side: 8).resized(height: 28, width: 28)
        #expect(constant.shape == ImageShape(height: 28, width: 28) && constant.images.cols == 784)
        #expect(constant.images.elements.allSatisfy { abs($0 - 0.375) <= 1e-6 }, "relative tolerance 3e-6")
        // 2×2 → 4×4 with half-pixel centres: output column 1 samples input x = 0.25.
        let small = try Self.dataset([[0, 1, 0, 1]], side: 2).resized(height: 4, width: 4).images
        #expect(small.row(0)[0..<4] == [0, 0.25, 0.75, 1])
        #expect(small.row(0)[12..<16] == [0, 0.25, 0.75, 1])
    }

    @Test func rescaleMapsRangesAndClamps() throws {
        let d = try Self.dataset([[0, 4, 16, 20]], side: 2).rescaled(from: 0...16, to: 0...1)
        #expect(d.images.elements == [0, 0.25, 1, 1])
    }

    @Test func gaussianNoiseHasTheRequestedMeanAndSpreadAndIsSeeded() throws {
        let count = 50, side = 20
        let flat = try Self.dataset(Array(repeating: [Float](repeating: 0.5, count: side * side), count: count), side: side)
        let noisy = flat.withGaussianNoise(standardDeviation: 0.1, random: RandomStream(seed: 3))
        let values = noisy.images.elements.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        // 20,000 draws: the mean's standard error is 0.0007, the std's relative error about 0.5 %.
        #expect(abs(mean - 0.5) < 0.003)
        #expect(abs(std - 0.1) / 0.1 < 0.03)
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(flat.withGaussianNoise(standardDeviation: 0.1, random: RandomStream(seed: 3)).images == noisy.images)
        #expect(flat.withGaussianNoise(standardDeviation: 0.1, random: RandomStream(seed: 4)).images != noisy.images)
        // Image i's noise depends only on i: the noise of a subset is the subset of the noise.
        let firstTen = flat.subset(Array(0..<10)).withGaussianNoise(standardDeviation: 0.1, random: RandomStream(seed: 3))
        #expect(firstTen.images == noisy.subset(Array(0..<10)).images)
    }

    @Test func randomRotationAnglesStayInRange() throws {
        let d = try Self.dataset(Array(repeating: [Float](repeating: 0.5, count: 16), count: 200), side: 4)
        let (_, angles) = d.rotatedRandomly(maxDegrees: 30, random: RandomStream(seed: 5))
        #expect(angles.allSatisfy { abs($0) <= 30 })
        #expect(angles.contains { $0 < -20 } && angles.contains { $0 > 20 }, "angles spread over the range")
    }

    @Test func stratifiedSplitKeepsClassProportionsAndPartitions() throws {
        // Unbalanced classes, sorted by label (as MNIST-5k's file is).
        let counts = [500, 130, 37, 9]
        let labels = counts.enumerated().flatMap { c, n in [Int](repeating: c, count: n) }
        let images = labels.indices.map { i in [Float(i)] }
        let d = try Dataset(name: "s", images: Matrix(rows: labels.count, cols: 1, elements: images.flatMap { $0 }),
                            labels: labels, classCount: 4, shape: ImageShape(height: 1, width: 1))
        let (train, test) = try d.stratifiedSplit(trainFraction: 0.8, random: RandomStream(seed: 9))
        for c in 0..<4 {
            #expect(train.classCounts[c] == Int((0.8 * Double(counts[c])).rounded()), "class \(c)")
            #expect(train.classCounts[c] + test.classCounts[c] == counts[c])
        }
        // A partition: every sample exactly once, labels carried with their images.
        let ids = (train.images.elements + test.images.elements).map { Int($0) }.sorted()
        #expect(ids == Array(0..<labels.count))
        for i in 0..<train.count { #expect(labels[Int(train.images[i, 0])] == train.labels[i]) }
        // Shuffled, not sorted by class; fixed by the seed.
        #expect(train.labels != train.labels.sorted())
        let again = try d.stratifiedSplit(trainFraction: 0.8, random: RandomStream(seed: 9))
        #expect(again.train.images == train.images && again.test.labels == test.labels)
        let other = try d.stratifiedSplit(trainFraction: 0.8, random: RandomStream(seed: 10))
        #expect(other.train.images != train.images)
        #expect(throws: DataError.self) { try d.stratifiedSplit(trainFraction: 1, random: RandomStream(seed: 1)) }
    }

    @Test func plainSplitSizes() throws {
        let d = try Self.dataset(Array(repeating: [0], count: 10), side: 1)
        let (train, test) = try d.split(trainFraction: 0.75, random: RandomStream(seed: 2))
        #expect(train.count == 8 && test.count == 2)
    }

    @Test func datasetRejectsInconsistentParts() {
        #expect(throws: DataError(.shapeMismatch, "data set bad has 2 images but 3 labels")) {
            try Dataset(name: "bad", images: Matrix(rows: 2, cols: 4), labels: [0, 1, 0], classCount: 2, shape: ImageShape(height: 2, width: 2))
        }
        #expect(throws: DataError(.invalidArgument, "data set bad: label 2 of sample 1 is outside 0..<2")) {
            try Dataset(name: "bad", images: Matrix(rows: 2, cols: 4), labels: [0, 2], classCount: 2, shape: ImageShape(height: 2, width: 2))
        }
    }
}
