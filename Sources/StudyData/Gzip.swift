import NoisyCore

/// The gzip (RFC 1952) and zlib (RFC 1950) containers around a DEFLATE stream.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decodes a gzip file's bytes (every member, if several are concatenated), checking each
    /// member's CRC-32 and size.
    /// - Throws: ``DataError`` `.truncated` or `.corrupt` (bad magic, flags, checksum or size).
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        try bytes.withUnsafeBytes { raw in
            var output = [UInt8]()
            var offset = 0
            repeat {
                let member = try decompressMember(UnsafeRawBufferPointer(rebasing: raw[offset...]), memberStart: offset)
                if output.isEmpty { output = member.output } else { output.append(contentsOf: member.output) }
                offset += member.consumed
                // Some writers pad the file with zero bytes after the last member.
                while offset < raw.count && raw[offset] == 0 { offset += 1 }
            } while offset < raw.count
            return output
        }
    }

    private static func decompressMember(_ raw: UnsafeRawBufferPointer, memberStart: Int) throws -> (output: [UInt8], consumed: Int) {
        guard raw.count >= 18 else {
            throw DataError(.truncated, "gzip member at byte \(memberStart) has \(raw.count) bytes, fewer than a header and trailer (18)")
        }
        guard raw[0] == 0x1F, raw[1] == 0x8B else {
            throw DataError(.corrupt, "not gzip data: byte \(memberStart) starts with \(hex(raw[0])) \(hex(raw[1])), not 1f 8b")
        }
        guard raw[2] == 8 else {
            throw DataError(.unsupported, "gzip compression method \(raw[2]) (only 8, deflate, exists)")
        }
        let flags = raw[3]
        guard flags & 0xE0 == 0 else { throw DataError(.corrupt, "gzip header has reserved flag bits set (\(hex(flags)))") }
        var offset = 10
        func need(_ n: Int, _ what: String) throws {
            guard offset + n <= raw.count else { throw DataError(.truncated, "gzip header ends inside its \(what)") }
        }
        if flags & 0x04 != 0 {  // FEXTRA
            try need(2, "extra field length")
            let length = Int(raw[offset]) | Int(raw[offset + 1]) << 8
            offset += 2
            try need(length, "extra field")
            offset += length
        }
        for (flag, what) in [(UInt8(0x08), "file name"), (UInt8(0x10), "comment")] where flags & flag != 0 {
            while true {
                try need(1, what)
                offset += 1
                if raw[offset - 1] == 0 { break }
            }
        }
        if flags & 0x02 != 0 {  // FHCRC
            try need(2, "header CRC")
            offset += 2
        }
        let trailerSize = Int(readLE32(raw, raw.count - 4))
        let (output, used) = try Inflate.decompress(UnsafeRawBufferPointer(rebasing: raw[offset...]), expectedSize: trailerSize)
        offset += used
        guard offset + 8 <= raw.count else {
            throw DataError(.truncated, "gzip data ends before its 8-byte trailer (CRC-32 and size)")
        }
        let storedCRC = readLE32(raw, offset)
        let storedSize = readLE32(raw, offset + 4)
        let actualCRC = output.withUnsafeBytes { Checksum.crc32($0) }
        guard storedCRC == actualCRC else {
            throw DataError(.corrupt, "gzip CRC-32 mismatch: trailer says \(hex32(storedCRC)), content gives \(hex32(actualCRC))")
        }
        guard storedSize == UInt32(truncatingIfNeeded: output.count) else {
            throw DataError(.corrupt, "gzip size mismatch: trailer says \(storedSize) bytes (mod 2^32), content has \(output.count)")
        }
        return (output, offset + 8)
    }
}

/// The zlib container (RFC 1950): a 2-byte header, a DEFLATE stream, an Adler-32 trailer.
public enum Zlib {
    /// Decodes zlib-wrapped data, checking the header and the Adler-32.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        guard bytes.count >= 6 else { throw DataError(.truncated, "zlib data has \(bytes.count) bytes, fewer than a header and trailer (6)") }
        let cmf = bytes[0], flg = bytes[1]
        guard cmf & 0x0F == 8, (Int(cmf) << 8 | Int(flg)) % 31 == 0 else {
            throw DataError(.corrupt, "not zlib data: header \(hex(cmf)) \(hex(flg)) is not a valid deflate header")
        }
        guard flg & 0x20 == 0 else { throw DataError(.unsupported, "zlib data needs a preset dictionary") }
        return try bytes.withUnsafeBytes { raw in
            let (output, used) = try Inflate.decompress(UnsafeRawBufferPointer(rebasing: raw[2...]))
            let end = 2 + used
            guard end + 4 <= raw.count else { throw DataError(.truncated, "zlib data ends before its Adler-32 trailer") }
            let stored = UInt32(raw[end]) << 24 | UInt32(raw[end + 1]) << 16 | UInt32(raw[end + 2]) << 8 | UInt32(raw[end + 3])
            let actual = output.withUnsafeBytes { Checksum.adler32($0) }
            guard stored == actual else {
                throw DataError(.corrupt, "zlib Adler-32 mismatch: trailer says \(hex32(stored)), content gives \(hex32(actual))")
            }
            return output
        }
    }
}

func readLE32(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(raw[offset]) | UInt32(raw[offset + 1]) << 8 | UInt32(raw[offset + 2]) << 16 | UInt32(raw[offset + 3]) << 24
}

func readLE16(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> Int {
    Int(raw[offset]) | Int(raw[offset + 1]) << 8
}

func hex(_ byte: UInt8) -> String {
    let s = String(byte, radix: 16)
    return s.count == 1 ? "0" + s : s
}

func hex32(_ value: UInt32) -> String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}
