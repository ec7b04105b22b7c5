import NoisyCore

/// The IDX format of MNIST and Fashion-MNIST: a big-endian header and raw unsigned bytes.
///
/// Layout: two zero bytes, a type byte (0x08 = unsigned byte; the only type these data sets
/// use), the number of dimensions d, d big-endian UInt32 sizes, then the elements in row-major
/// order. The element count must match the file's remaining length exactly.
public struct IDXArray: Sendable, Equatable {
    /// The sizes of the dimensions, outermost first (images: [count, rows, cols]).
    public let dimensions: [Int]
    /// The elements, row-major.
    public let values: [UInt8]

    /// An array with the given dimensions and values (`values.count` must be their product).
    public init(dimensions: [Int], values: [UInt8]) throws {
        let expected = try IDXArray.elementCount(dimensions)
        guard values.count == expected else {
            throw DataError(.shapeMismatch, "IDX dimensions \(dimensions) need \(expected) values, got \(values.count)")
        }
        self.dimensions = dimensions
        self.values = values
    }

    /// Reads the IDX file at `path` (gzip'd or not).
    /// - Throws: ``DataError`` naming the file: `.corrupt` (magic), `.unsupported` (type),
    ///   `.truncated` (fewer bytes than the header promises) or `.corrupt` (trailing bytes).
    public static func read(_ path: String) throws -> IDXArray {
        try DataError.withPath(path) { try decode(FileBytes.readDecompressing(path)) }
    }

    /// Decodes IDX bytes.
    public static func decode(_ bytes: [UInt8]) throws -> IDXArray {
        guard bytes.count >= 4 else {
            throw DataError(.truncated, "IDX data has \(bytes.count) bytes, fewer than its 4-byte magic number")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(.corrupt, "not an IDX file: magic number starts \(hex(bytes[0])) \(hex(bytes[1])), not 00 00")
        }
        guard bytes[2] == 0x08 else {
            throw DataError(.unsupported, "IDX element type \(hex(bytes[2])) is not read (only 08, unsigned byte)")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw DataError(.corrupt, "IDX header declares 0 dimensions") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError(.truncated, "IDX header declares \(rank) dimensions but the data ends after \(bytes.count) bytes")
        }
        var dimensions = [Int]()
        for d in 0..<rank {
            let o = 4 + 4 * d
            dimensions.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        let count = try elementCount(dimensions)
        let available = bytes.count - headerSize
        guard available >= count else {
            throw DataError(.truncated, "IDX dimensions \(dimensions) need \(count) bytes of data, the file has \(available)")
        }
        guard available == count else {
            throw DataError(.corrupt, "IDX dimensions \(dimensions) need \(count) bytes of data, the file has \(available - count) more")
        }
        return try IDXArray(dimensions: dimensions, values: Array(bytes[headerSize...]))
    }

    /// Encodes as an IDX file of unsigned bytes (for tests and exports).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions {
            out += [UInt8(truncatingIfNeeded: d >> 24), UInt8(truncatingIfNeeded: d >> 16), UInt8(truncatingIfNeeded: d >> 8), UInt8(truncatingIfNeeded: d)]
        }
        return out + values
    }

    static func elementCount(_ dimensions: [Int]) throws -> Int {
        var count = 1
        for d in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow, product <= 1 << 40 else {
                throw DataError(.corrupt, "IDX dimensions \(dimensions) are impossibly large")
            }
            count = product
        }
        return count
    }
}

/// A byte as two lowercase hex digits, for messages about magic numbers.
func hex(_ byte: UInt8) -> String {
    let s = String(byte, radix: 16)
    return s.count == 1 ? "0" + s : s
}
