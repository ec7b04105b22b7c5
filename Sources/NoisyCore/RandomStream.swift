#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic, splittable random stream: Philox4x32-10 (Salmon et al., SC'11).
///
/// Philox is counter-based: the n-th output is a pure function of (key, stream, n), computed with
/// 32-bit integer multiplies only, so every machine and every build gives the same numbers from
/// the same seed. Independent streams for a cell, an epoch or a purpose come from ``derived(_:_:)``,
/// which hashes a label and an index into a new key and stream id; streams never share state, so
/// the numbers one part of a computation draws do not depend on how many another part drew.
///
/// Floating-point helpers use only exact integer-to-float conversions, except ``normal()``, which
/// uses the C library's `log`, `sin` and `cos` in `Double` (correctly rounded in practice on
/// glibc and Apple's libm, so identical across machines running the same libm).
public struct RandomStream: RandomNumberGenerator, Sendable {
    /// The 64-bit Philox key.
    public let key: UInt64
    /// The 64-bit stream id (the upper half of Philox's 128-bit counter).
    public let stream: UInt64
    /// Blocks of four 32-bit words generated so far.
    public private(set) var blockCounter: UInt64 = 0
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var bufferIndex = 4
    private var spareNormal: Double?

    /// A stream for `seed`.
    public init(seed: UInt64) {
        self.init(key: seed, stream: 0)
    }

    /// A stream with an explicit Philox key and stream id.
    public init(key: UInt64, stream: UInt64) {
        self.key = key
        self.stream = stream
    }

    /// An independent stream named by `label` and `index`, derived from this stream's key and id
    /// (not from how far it has been read).
    ///
    /// `RandomStream(seed: 7).derived("epoch", 3)` is the same on every machine and never overlaps
    /// `derived("epoch", 4)` or `derived("init", 3)`.
    public func derived(_ label: String, _ index: UInt64 = 0) -> RandomStream {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a over the label's UTF-8 bytes
        for byte in label.utf8 {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        let newKey = Self.mix(key ^ Self.mix(h &+ 0x9E37_79B9_7F4A_7C15))
        let newStream = Self.mix(stream ^ Self.mix(index ^ 0xD1B5_4A32_D192_ED03) ^ h)
        return RandomStream(key: newKey, stream: newStream)
    }

    /// The Philox4x32-10 block for a 128-bit counter and 64-bit key (exposed for known-answer tests).
    public static func philox(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 {
                k0 = k0 &+ 0x9E37_79B9
                k1 = k1 &+ 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return (c0, c1, c2, c3)
    }

    /// The next 32 random bits.
    public mutating func next32() -> UInt32 {
        if bufferIndex == 4 { refill() }
        defer { bufferIndex += 1 }
        switch bufferIndex {
        case 0: return buffer.0
        case 1: return buffer.1
        case 2: return buffer.2
        default: return buffer.3
        }
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let lo = UInt64(next32())
        return (UInt64(next32()) << 32) | lo
    }

    private mutating func refill() {
        buffer = Self.philox(
            counter: (UInt32(truncatingIfNeeded: blockCounter), UInt32(truncatingIfNeeded: blockCounter >> 32),
                      UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)),
            key: (UInt32(truncatingIfNeeded: key), UInt32(truncatingIfNeeded: key >> 32)))
        blockCounter &+= 1
        bufferIndex = 0
    }

    /// A uniform `Float` in [0, 1), with 24 random bits.
    public mutating func nextFloat() -> Float {
        Float(next32() >> 8) * 0x1p-24
    }

    /// A uniform `Double` in [0, 1), with 53 random bits.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform `Float` in [lower, upper).
    public mutating func uniform(_ lower: Float, _ upper: Float) -> Float {
        lower + (upper - lower) * nextFloat()
    }

    /// A standard normal deviate (Box–Muller in `Double`, pairs cached).
    public mutating func normal() -> Float {
        Float(normalDouble())
    }

    /// A normal deviate with the given mean and standard deviation.
    public mutating func normal(mean: Float, standardDeviation: Float) -> Float {
        mean + standardDeviation * normal()
    }

    /// A standard normal deviate in `Double`.
    public mutating func normalDouble() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        // u1 in (0, 1] so log(u1) is finite.
        let u1 = 1.0 - nextDouble()
        let u2 = nextDouble()
        let radius = (-2.0 * log(u1)).squareRoot()
        let angle = 2.0 * Double.pi * u2
        spareNormal = radius * sin(angle)
        return radius * cos(angle)
    }

    /// A uniform integer in `0..<bound`, without bias (Lemire's multiply-and-reject).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound, got \(bound)")
        let n = UInt64(bound)
        var product = next().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold {
                product = next().multipliedFullWidth(by: n)
            }
        }
        return Int(product.high)
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var result = Array(0..<count)
        shuffle(&result)
        return result
    }

    /// Shuffles `array` in place, uniformly (Fisher–Yates, from the back).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// `k` distinct indices chosen uniformly from `0..<n`, in the order drawn (partial Fisher–Yates).
    public mutating func choose(_ k: Int, from n: Int) -> [Int] {
        precondition(k >= 0 && k <= n, "choose(\(k), from: \(n)): k must be in 0...n")
        var pool = Array(0..<n)
        for i in 0..<k {
            let j = i + nextInt(below: n - i)
            pool.swapAt(i, j)
        }
        return Array(pool[0..<k])
    }

    /// One element of `collection`, uniformly.
    public mutating func choice<C: RandomAccessCollection>(_ collection: C) -> C.Element {
        precondition(!collection.isEmpty, "choice from an empty collection")
        let offset = nextInt(below: collection.count)
        return collection[collection.index(collection.startIndex, offsetBy: offset)]
    }

    /// SplitMix64's finaliser: a bijective 64-bit mix.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
