import NoisyCore
import Testing

/// The transforms behind the task suite, on synthetic images (no data files needed).
@Suite struct ShiftTransformTests {
    /// One 8×8 image: a vertical bar in columns 5–6, rows 1–6 (ink off-centre to the right).
    static func bar() throws -> Dataset {
        var m = Matrix(rows: 1, cols: 64)
        for y in 1...6 { for x in 5...6 { m[0, y * 8 + x] = 1 } }
        return try Dataset(name: "bar", images: m, labels: [0], classCount: 1, shape: ImageShape(height: 8, width: 8))
    }

    static func rows(_ d: Dataset, side: Int) -> [[Float]] {
        (0..<side).map { y in (0..<side).map { d.images[0, y * side + $0] } }
    }

    @Test func placedInABoxLeavesAFourPixelBorderEmpty() throws {
        let placed = try Self.bar().placedInFrame(box: 20, frame: 28, centreOfMass: false)
        #expect(placed.shape == ImageShape(height: 28, width: 28))
        let r = Self.rows(placed, side: 28)
        for i in 0..<28 {
            for j in 0..<28 where !(4..<24).contains(i) || !(4..<24).contains(j) { #expect(r[i][j] == 0, "(\(i), \(j))") }
        }
        // The 8×8 image covers exactly the 20×20 box: its ink (columns 5–6 of 8) lands at 12.5–17.5 of 20.
        let inkColumns = Set((0..<28).filter { x in (0..<28).contains { r[$0][x] > 0.5 } })
        #expect(inkColumns.min()! >= 4 + 12 && inkColumns.max()! <= 4 + 18)
    }

    @Test func centreOfMassMovesTheInkToTheFrameCentre() throws {
        let placed = try Self.bar().placedInFrame(box: 20, frame: 28, centreOfMass: true)
        var mass: Float = 0, mx: Float = 0, my: Float = 0
        for y in 0..<28 {
            for x in 0..<28 {
                let v = placed.images[0, y * 28 + x]
                mass += v; mx += v * Float(x); my += v * Float(y)
            }
        }
        #expect(abs(mx / mass - 13.5) <= 0.5 && abs(my / mass - 13.5) <= 0.5)
        // The shift keeps all the ink: the total is the box version's.
        let boxed = try Self.bar().placedInFrame(box: 20, frame: 28, centreOfMass: false)
        #expect(abs(boxed.images.elements.reduce(0, +) - mass) < 1e-3)
    }

    @Test func dilationThickensAndInversionFlips() throws {
        let bar = try Self.bar()
        let thick = bar.dilated(radius: 1)
        let ink = { (d: Dataset) in d.images.elements.filter { $0 > 0 }.count }
        #expect(ink(bar) == 12 && ink(thick) == 4 * 8)  // columns 4–7, rows 0–7
        #expect(bar.inverted().images.elements == bar.images.elements.map { 1 - $0 })
    }

    @Test func blurKeepsInteriorMassAndPixelationAveragesBlocks() throws {
        var m = Matrix(rows: 1, cols: 28 * 28)
        m[0, 14 * 28 + 14] = 1
        let dot = try Dataset(name: "dot", images: m, labels: [0], classCount: 1, shape: ImageShape(height: 28, width: 28))
        let blurred = dot.blurred(sigma: 1.5)
        #expect(abs(blurred.images.elements.reduce(0, +) - 1) < 1e-4)
        #expect(blurred.images[0, 14 * 28 + 14] < 0.1 && blurred.images[0, 14 * 28 + 15] > 0)
        // 4×4 blocks: the dot's block mean is 1/16; resized back, no pixel exceeds it.
        let low = dot.pixelated(factor: 4)
        #expect(low.images.elements.max()! <= 1.0 / 16 + 1e-6 && low.images.elements.max()! > 0)
    }
}

/// Probe-seed pairing and the authors' noise variant.
@Suite struct ProbeSeedPairingTests {
    @Test func theHeadOfEveryMethodIsKaimingUniformWithZeroBiasFromTheProbeSeed() {
        let lp = ProbeNetwork(method: .lp, features: 16, classes: 10, hiddenMultiplier: 1, seed: 3)
        let nm = ProbeNetwork(method: .nmtune, features: 16, classes: 10, hiddenMultiplier: 1, seed: 3)
        let other = ProbeNetwork(method: .lp, features: 16, classes: 10, hiddenMultiplier: 1, seed: 4)
        #expect(lp.head.weight.value == nm.head.weight.value)
        #expect(lp.head.weight.value != other.head.weight.value)
        #expect(lp.head.bias!.value.elements.allSatisfy { $0 == 0 })
        let bound = (6 / Float(16)).squareRoot()
        #expect(lp.head.weight.value.elements.allSatisfy { abs($0) <= bound })
        #expect(lp.head.weight.value.elements.contains { abs($0) > 1 / Float(16).squareRoot() })
    }

    @Test func evaluateSpecsKeepTheirProbeSeedAndOnlyRelevantTaskParameters() {
        let pretrain = PretrainSpec(noiseRatio: 0.2, seed: 1)
        let params = TaskParameters(blurSigma: 2, pixelationFactor: 7)
        let spec = EvaluateSpec(noiseRatio: 0.2, task: "mnist5k->mnist5k-lowres", method: .lp, seed: 1, probeSeed: 8,
                                features: .pretrained(pretrain), taskParameters: params)
        #expect(spec.probeSeed == 8 && spec.taskParameters?.pixelationFactor == 7 && spec.taskParameters?.blurSigma == 1.5)
        #expect(EvaluateSpec(noiseRatio: 0, task: "digits", method: .lp, seed: 2, features: .pretrained(pretrain)).probeSeed == 2)
    }

    @Test func uniformNoiseMayKeepTheTrueClassAndRealisesAboutRTimesNineTenths() throws {
        let clean = (0..<20_000).map { $0 % 10 }
        var a = RandomStream(seed: 11), b = RandomStream(seed: 11)
        let exclusive = try SymmetricLabelNoise(cleanLabels: clean, classCount: 10, ratio: 0.3, generator: &a)
        let uniform = try SymmetricLabelNoise(cleanLabels: clean, classCount: 10, ratio: 0.3, model: .uniform, generator: &b)
        #expect(exclusive.realisedRatio == 0.3)
        // 6,000 chosen, each keeps its class with probability 1/10: 5,400 expected, sd ≈ 23.
        #expect(abs(uniform.realisedRatio - 0.27) < 0.006)
        #expect(uniform.corruptedIndices.allSatisfy { uniform.labels[$0] != clean[$0] })
    }
}
