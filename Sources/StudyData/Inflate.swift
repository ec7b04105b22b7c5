import NoisyCore

/// A DEFLATE decoder (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// NoisyCore has no dependencies and Foundation on Linux has no gzip API, so the data sets' gzip
/// files are decoded here. Huffman codes are decoded with one table lookup per symbol (a table of
/// 2^L entries, L the longest code of the block), bits are read from a 64-bit buffer refilled eight
/// bytes at a time, and output goes to one growing buffer: tens of MB/s or more in release builds,
/// so the 26 MB Fashion-MNIST training images decode in well under a second.
///
/// Every fault of the input (bad block type, code or distance, a stream that ends early) is a
/// ``DataError``; nothing in the input can make the decoder crash or loop forever.
public enum Inflate {
    /// Decodes the raw DEFLATE stream `input`.
    /// - Throws: ``DataError`` `.truncated` or `.corrupt`.
    public static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        try input.withUnsafeBytes { try decompress($0).output }
    }

    /// Decodes the raw DEFLATE stream at the start of `input`.
    /// - Parameter expectedSize: a hint for the output size (a container's size field); only
    ///   sizes the first allocation.
    /// - Returns: the decoded bytes and how many input bytes the stream took (up to the byte that
    ///   holds its last bit), so a container can read its trailer after it.
    public static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int = 0) throws -> (output: [UInt8], consumed: Int) {
        guard input.count > 0, input.baseAddress != nil else {
            throw DataError(.truncated, "deflate stream is empty")
        }
        // DEFLATE expands at most 1032:1, so a larger hint is a lie and is not allocated.
        let cap = input.count &* 1032 &+ 1024
        var state = InflateState(input: input, capacity: max(min(expectedSize, cap), 4096))
        defer { state.release() }
        try state.run()
        return (state.outputArray(), state.consumedBytes())
    }
}

/// The decoder's state: input bit reader, Huffman tables and output buffer.
///
/// A struct with owned raw buffers (released by ``release()``), so the hot loop touches no arrays,
/// reference counts or exclusivity checks.
private struct InflateState {
    let input: UnsafePointer<UInt8>
    let inputCount: Int
    var position = 0
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    /// Zero bytes fed past the end of the input; more than the buffer holds means truncation.
    var paddingBytes = 0

    var output: UnsafeMutablePointer<UInt8>
    var outputCapacity: Int
    var outputCount = 0

    /// Literal/length and distance lookup tables: entry = symbol << 4 | code length (0: no code).
    let literalTable = UnsafeMutablePointer<UInt16>.allocate(capacity: 1 << 15)
    let distanceTable = UnsafeMutablePointer<UInt16>.allocate(capacity: 1 << 15)
    var literalBits = 0
    var distanceBits = 0

    init(input: UnsafeRawBufferPointer, capacity: Int) {
        // Callers reject empty input, so there is a base address.
        self.input = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        inputCount = input.count
        outputCapacity = capacity
        output = .allocate(capacity: capacity)
    }

    func release() {
        output.deallocate()
        literalTable.deallocate()
        distanceTable.deallocate()
    }

    func outputArray() -> [UInt8] {
        Array(UnsafeBufferPointer(start: output, count: outputCount))
    }

    /// Input bytes taken by the stream: the bytes read, less whole bytes still buffered unread.
    func consumedBytes() -> Int {
        position - bitCount / 8 + paddingBytes
    }

    mutating func run() throws {
        var final = false
        while !final {
            try refill()
            final = take(1) == 1
            switch take(2) {
            case 0: try storedBlock()
            case 1:
                buildFixedTables()
                try huffmanBlock()
            case 2:
                try readDynamicTables()
                try huffmanBlock()
            default:
                throw DataError(.corrupt, "deflate stream has a block of reserved type 3 (near input byte \(position))")
            }
        }
        // Padding bits consumed mean the stream needed bytes that are not there.
        if paddingBytes * 8 > bitCount {
            throw DataError(.truncated, "deflate stream ends early: its last block needs more bytes than the \(inputCount) given")
        }
    }

    // MARK: Bits

    /// Makes at least 56 bits available (zero bits past the end of the input).
    @inline(__always) mutating func refill() throws {
        if bitCount >= 48 { return }
        if position + 8 <= inputCount {
            // Bits above bitCount may hold the next input bytes already; they equal what a later
            // refill ORs in at the same place, so no masking is needed.
            let word = UInt64(littleEndian: UnsafeRawPointer(input + position).loadUnaligned(as: UInt64.self))
            bitBuffer |= word << UInt64(bitCount)
            position += (63 - bitCount) >> 3
            bitCount |= 56
            return
        }
        while bitCount <= 56 {
            if position < inputCount {
                bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
                position += 1
            } else {
                paddingBytes += 1
                if paddingBytes > 16 {
                    throw DataError(.truncated, "deflate stream ends early (after \(inputCount) bytes, in the middle of a block)")
                }
            }
            bitCount += 8
        }
    }

    /// Takes `n` ≤ bitCount bits, least significant first.
    @inline(__always) mutating func take(_ n: Int) -> Int {
        let value = Int(truncatingIfNeeded: bitBuffer & ((1 << UInt64(n)) &- 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return value
    }

    // MARK: Blocks

    mutating func storedBlock() throws {
        // Drop to a byte boundary, then hand whole buffered bytes back to the input.
        _ = take(bitCount & 7)
        let buffered = bitCount / 8
        let real = buffered - min(paddingBytes, buffered)
        paddingBytes -= buffered - real
        position -= real
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= inputCount else {
            throw DataError(.truncated, "deflate stream ends inside a stored block's header")
        }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == complement ^ 0xFFFF else {
            throw DataError(.corrupt, "deflate stored block length \(length) does not match its complement (near input byte \(position))")
        }
        position += 4
        guard position + length <= inputCount else {
            throw DataError(.truncated, "deflate stored block of \(length) bytes ends after the input (\(inputCount - position) left)")
        }
        reserve(length)
        (output + outputCount).update(from: input + position, count: length)
        outputCount += length
        position += length
    }

    mutating func huffmanBlock() throws {
        let literalMask = (UInt64(1) << UInt64(literalBits)) - 1
        let distanceMask = (UInt64(1) << UInt64(distanceBits)) - 1
        while true {
            try refill()
            if outputCapacity - outputCount < 258 { reserve(258) }
            let entry = Int(literalTable[Int(truncatingIfNeeded: bitBuffer & literalMask)])
            let codeLength = entry & 15
            guard codeLength != 0 else { throw invalidCode("literal/length") }
            bitBuffer >>= UInt64(codeLength)
            bitCount -= codeLength
            let symbol = entry >> 4
            if symbol < 256 {
                output[outputCount] = UInt8(truncatingIfNeeded: symbol)
                outputCount += 1
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw invalidCode("length symbol \(symbol)") }
            let length = Tables.lengthBase[lengthIndex] + take(Tables.lengthExtra[lengthIndex])
            // At most 15 + 5 bits used since the refill: 36 of the 56 remain for the distance.
            let distanceEntry = Int(distanceTable[Int(truncatingIfNeeded: bitBuffer & distanceMask)])
            let distanceLength = distanceEntry & 15
            guard distanceLength != 0 else { throw invalidCode("distance") }
            bitBuffer >>= UInt64(distanceLength)
            bitCount -= distanceLength
            let distanceSymbol = distanceEntry >> 4
            guard distanceSymbol < 30 else { throw invalidCode("distance symbol \(distanceSymbol)") }
            let distance = Tables.distanceBase[distanceSymbol] + take(Tables.distanceExtra[distanceSymbol])
            guard distance <= outputCount else {
                throw DataError(.corrupt, "deflate back-reference \(distance) bytes back, but only \(outputCount) bytes are decoded (near input byte \(position))")
            }
            let target = output + outputCount
            let source = target - distance
            if distance >= length {
                target.update(from: source, count: length)
            } else {
                // Overlapping copy repeats the last `distance` bytes: must go forward byte by byte.
                for i in 0..<length { target[i] = source[i] }
            }
            outputCount += length
        }
    }

    func invalidCode(_ what: String) -> DataError {
        DataError(.corrupt, "deflate stream has an invalid \(what) code (near input byte \(position))")
    }

    mutating func reserve(_ extra: Int) {
        guard outputCount + extra > outputCapacity else { return }
        let newCapacity = max(outputCapacity * 2, outputCount + extra)
        let newOutput = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newOutput.update(from: output, count: outputCount)
        output.deallocate()
        output = newOutput
        outputCapacity = newCapacity
    }

    // MARK: Tables

    mutating func buildFixedTables() {
        var lengths = [UInt8](repeating: 8, count: 288)
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        // The fixed codes are complete and valid: building them cannot fail.
        literalBits = (try? Self.buildTable(lengths, into: literalTable, what: "fixed literal/length")) ?? 0
        distanceBits = (try? Self.buildTable([UInt8](repeating: 5, count: 30), into: distanceTable, what: "fixed distance")) ?? 0
    }

    mutating func readDynamicTables() throws {
        try refill()
        let literalCount = take(5) + 257
        let distanceCount = take(5) + 1
        let codeLengthCount = take(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw DataError(.corrupt, "deflate dynamic block declares \(literalCount) literal/length and \(distanceCount) distance codes (at most 286 and 30)")
        }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount {
            try refill()
            codeLengthLengths[Tables.codeLengthOrder[i]] = UInt8(take(3))
        }
        let codeLengthBits = try Self.buildTable(codeLengthLengths, into: literalTable, what: "code-length")
        let mask = (UInt64(1) << UInt64(codeLengthBits)) - 1
        var lengths = [UInt8](repeating: 0, count: literalCount + distanceCount)
        var i = 0
        while i < lengths.count {
            try refill()
            let entry = Int(literalTable[Int(truncatingIfNeeded: bitBuffer & mask)])
            let codeLength = entry & 15
            guard codeLength != 0 else { throw invalidCode("code-length") }
            _ = take(codeLength)
            let symbol = entry >> 4
            var repeatValue: UInt8 = 0
            var repeatCount = 0
            switch symbol {
            case 0..<16:
                lengths[i] = UInt8(symbol)
                i += 1
                continue
            case 16:
                guard i > 0 else {
                    throw DataError(.corrupt, "deflate dynamic block repeats a previous code length before the first one")
                }
                repeatValue = lengths[i - 1]
                repeatCount = 3 + take(2)
            case 17: repeatCount = 3 + take(3)
            default: repeatCount = 11 + take(7)
            }
            guard i + repeatCount <= lengths.count else {
                throw DataError(.corrupt, "deflate dynamic block's code lengths run past the \(lengths.count) declared")
            }
            for j in i..<(i + repeatCount) { lengths[j] = repeatValue }
            i += repeatCount
        }
        guard lengths[256] != 0 else {
            throw DataError(.corrupt, "deflate dynamic block has no end-of-block code")
        }
        literalBits = try Self.buildTable(Array(lengths[0..<literalCount]), into: literalTable, what: "literal/length")
        distanceBits = try Self.buildTable(Array(lengths[literalCount...]), into: distanceTable, what: "distance")
    }

    /// Fills `table` for the canonical Huffman code with `lengths`; returns its index width L.
    ///
    /// Entries not reached by any code stay 0 (an incomplete code, which zlib allows for a lone
    /// distance code) and are rejected when met. An over-subscribed code is rejected here.
    static func buildTable(_ lengths: [UInt8], into table: UnsafeMutablePointer<UInt16>, what: String) throws -> Int {
        var counts = [Int](repeating: 0, count: 16)
        for length in lengths { counts[Int(length)] += 1 }
        counts[0] = 0
        var left = 1
        for length in 1...15 {
            left = left * 2 - counts[length]
            guard left >= 0 else {
                throw DataError(.corrupt, "deflate \(what) code is over-subscribed (more codes than its lengths allow)")
            }
        }
        let maxLength = (1...15).last { counts[$0] > 0 } ?? 1
        let size = 1 << maxLength
        table.update(repeating: 0, count: size)
        var nextCode = [Int](repeating: 0, count: 16)
        var code = 0
        for length in 1...15 {
            code = (code + counts[length - 1]) << 1
            nextCode[length] = code
        }
        for (symbol, lengthByte) in lengths.enumerated() where lengthByte > 0 {
            let length = Int(lengthByte)
            let code = nextCode[length]
            nextCode[length] += 1
            // DEFLATE sends Huffman codes most significant bit first into an LSB-first stream.
            var reversed = 0
            for bit in 0..<length where code & (1 << bit) != 0 { reversed |= 1 << (length - 1 - bit) }
            let entry = UInt16(symbol << 4 | length)
            var index = reversed
            while index < size {
                table[index] = entry
                index += 1 << length
            }
        }
        return maxLength
    }
}

/// RFC 1951's constant tables.
private enum Tables {
    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
}
