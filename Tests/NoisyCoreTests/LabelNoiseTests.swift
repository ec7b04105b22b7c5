import NoisyCore
import Testing

@Suite struct LabelNoiseTests {
    static let clean = (0..<10_000).map { $0 % 10 }

    @Test(arguments: [0.0, 0.05, 0.1, 0.2, 0.3, 1.0])
    func realisesTheExactRatioAndNeverKeepsATrueLabel(ratio: Double) throws {
        var rng = RandomStream(seed: 17)
        let noise = try SymmetricLabelNoise(cleanLabels: Self.clean, classCount: 10, ratio: ratio, generator: &rng)
        let changed = zip(noise.labels, Self.clean).filter { $0 != $1 }.count
        #expect(changed == Int((ratio * 10_000).rounded()))
        #expect(noise.realisedRatio == ratio)
        #expect(noise.corruptedIndices.allSatisfy { noise.labels[$0] != Self.clean[$0] })
        #expect(noise.labels.allSatisfy { (0..<10).contains($0) })
    }

    @Test func noisyLabelsAreSpreadOverTheOtherClasses() throws {
        var rng = RandomStream(seed: 23)
        let clean = [Int](repeating: 3, count: 90_000)
        let noise = try SymmetricLabelNoise(cleanLabels: clean, classCount: 10, ratio: 1, generator: &rng)
        var counts = [Int](repeating: 0, count: 10)
        for l in noise.labels { counts[l] += 1 }
        #expect(counts[3] == 0)
        // 9 other classes, 10,000 expected each, σ ≈ 94: allow 5σ.
        #expect(counts.enumerated().filter { $0.offset != 3 }.allSatisfy { abs($0.element - 10_000) < 470 })
    }

    @Test func sameSeedSameNoise() throws {
        var a = RandomStream(seed: 5), b = RandomStream(seed: 5)
        let x = try SymmetricLabelNoise(cleanLabels: Self.clean, classCount: 10, ratio: 0.2, generator: &a)
        let y = try SymmetricLabelNoise(cleanLabels: Self.clean, classCount: 10, ratio: 0.2, generator: &b)
        #expect(x == y)
    }

    @Test func badInputIsRefusedWithAReason() {
        var rng = RandomStream(seed: 1)
        #expect(throws: LabelNoiseError.ratioOutOfRange(1.5)) {
            try SymmetricLabelNoise(cleanLabels: [0, 1], classCount: 2, ratio: 1.5, generator: &rng)
        }
        #expect(throws: LabelNoiseError.labelOutOfRange(index: 1, label: 7, classCount: 2)) {
            try SymmetricLabelNoise(cleanLabels: [0, 7], classCount: 2, ratio: 0.5, generator: &rng)
        }
    }
}
