import NoisyCore
import Testing

@Suite struct RandomStreamTests {
    /// Known answers of Random123's kat_vectors for philox4x32-10.
    @Test func philoxMatchesRandom123KnownAnswers() {
        let zero = RandomStream.philox(counter: (0, 0, 0, 0), key: (0, 0))
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let ones = RandomStream.philox(counter: (.max, .max, .max, .max), key: (.max, .max))
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let pi = RandomStream.philox(counter: (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), key: (0xa409_3822, 0x299f_31d0))
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    @Test func sameSeedGivesSameStream() {
        var a = RandomStream(seed: 42), b = RandomStream(seed: 42)
        #expect((0..<1000).map { _ in a.next() } == (0..<1000).map { _ in b.next() })
    }

    @Test func derivedStreamsDifferByLabelAndIndex() {
        let root = RandomStream(seed: 9)
        var streams = [root.derived("epoch", 0), root.derived("epoch", 1), root.derived("init", 0), root]
        let firsts = (0..<streams.count).map { i in (0..<4).map { _ in streams[i].next() } }
        #expect(Set(firsts.map { $0.description }).count == 4)
        // Deriving does not depend on how far the parent was read.
        var used = root
        _ = used.next()
        var x = used.derived("epoch", 1), y = root.derived("epoch", 1)
        #expect(x.next() == y.next())
    }

    @Test func uniformFloatsStayInUnitIntervalWithRightMean() {
        var rng = RandomStream(seed: 3)
        var sum = 0.0
        for _ in 0..<100_000 {
            let x = rng.nextFloat()
            #expect(x >= 0 && x < 1)
            sum += Double(x)
        }
        #expect(abs(sum / 100_000 - 0.5) < 0.005)
    }

    @Test func normalsHaveUnitMomentsWithinSamplingError() {
        var rng = RandomStream(seed: 5)
        let n = 200_000
        var sum = 0.0, squares = 0.0
        for _ in 0..<n {
            let x = Double(rng.normal())
            sum += x
            squares += x * x
        }
        let mean = sum / Double(n)
        // Standard error of the mean is 1/sqrt(n) ≈ 0.0022; of the variance ≈ sqrt(2/n) ≈ 0.0032.
        #expect(abs(mean) < 0.01)
        #expect(abs(squares / Double(n) - mean * mean - 1) < 0.015)
    }

    @Test func boundedIntegersAreUnbiased() {
        var rng = RandomStream(seed: 11)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[rng.nextInt(below: 7)] += 1 }
        // Each bin expects 10,000 with standard deviation ≈ 93; allow 5σ.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 470 })
    }

    @Test func permutationAndChoiceAreValid() {
        var rng = RandomStream(seed: 13)
        let p = rng.permutation(1000)
        #expect(p.sorted() == Array(0..<1000))
        #expect(p != Array(0..<1000))
        let chosen = rng.choose(50, from: 60)
        #expect(Set(chosen).count == 50 && chosen.allSatisfy { (0..<60).contains($0) })
    }
}
