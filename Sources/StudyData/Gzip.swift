import CLibZ
import NoisyCore

/// gzip (RFC 1952) files, decoded by the system's zlib.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decodes a gzip file's bytes (every member, if several are concatenated); zlib checks each
    /// member's header, CRC-32 and size.
    /// - Throws: ``DataError`` `.truncated`, `.corrupt` or `.unsupported`, with zlib's reason.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        guard isGzip(bytes) else {
            let start = bytes.prefix(2).map(hex).joined(separator: " ")
            throw DataError(.corrupt, "not gzip data: it starts with \(start.isEmpty ? "nothing" : start), not 1f 8b")
        }
        // The last member's trailer ends with its size (mod 2^32): a good first guess for the output.
        // (Capped by DEFLATE's largest ratio, 1032:1, so a damaged trailer cannot ask for gigabytes.)
        let trailerSize = bytes.count >= 4 ? bytes.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) } : 0
        return try ZlibStream.inflate(bytes, format: .gzip, sizeHint: min(trailerSize, bytes.count * 1032))
    }
}

/// zlib-wrapped (RFC 1950) data, decoded by the system's zlib.
public enum Zlib {
    /// Decodes zlib-wrapped data; zlib checks the header and the Adler-32.
    /// - Throws: ``DataError`` `.truncated`, `.corrupt` or `.unsupported`, with zlib's reason.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        try ZlibStream.inflate(bytes, format: .zlib, sizeHint: 0)
    }
}

/// One `inflate` run over a whole buffer: the only code that touches `z_stream`.
enum ZlibStream {
    enum Format {
        case gzip, zlib
        /// zlib's `windowBits`: 15 (a 32 KiB window), +16 to read a gzip wrapper instead of zlib's.
        var windowBits: Int32 { self == .gzip ? 15 + 16 : 15 }
        var name: String { self == .gzip ? "gzip" : "zlib" }
    }

    /// The decoded bytes of `input`. gzip members may be concatenated (zero padding after the last
    /// is allowed, as some writers add it); zlib data must end with its stream.
    static func inflate(_ input: [UInt8], format: Format, sizeHint: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, format.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(.io, "zlib could not start a \(format.name) decoder: \(reason(stream))")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(1024, sizeHint, input.count * 2))
        var produced = 0
        try input.withUnsafeBytes { raw in
            var consumed = 0
            while true {
                let status: Int32 = try output.withUnsafeMutableBytes { out in
                    stream.next_in = UnsafeMutablePointer(mutating: raw.baseAddress?.advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
                    stream.avail_in = uInt(raw.count - consumed)
                    stream.next_out = out.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(out.count - produced)
                    let status = CLibZ.inflate(&stream, Z_NO_FLUSH)
                    consumed = raw.count - Int(stream.avail_in)
                    produced = out.count - Int(stream.avail_out)
                    switch status {
                    case Z_OK, Z_STREAM_END: return status
                    case Z_BUF_ERROR: return status  // no progress possible: the input ran out (or the output is full)
                    case Z_NEED_DICT: throw DataError(.unsupported, "\(format.name) data needs a preset dictionary")
                    case Z_MEM_ERROR: throw DataError(.io, "zlib ran out of memory decoding \(format.name) data")
                    default: throw DataError(.corrupt, "\(format.name) data is corrupt at input byte \(consumed): \(reason(stream))")
                    }
                }
                if status == Z_STREAM_END {
                    guard format == .gzip else {
                        guard consumed == raw.count else {
                            throw DataError(.corrupt, "zlib data has \(raw.count - consumed) bytes after its stream")
                        }
                        break
                    }
                    while consumed < raw.count && raw[consumed] == 0 { consumed += 1 }
                    if consumed == raw.count { break }
                    inflateReset(&stream)  // the next member
                    continue
                }
                if produced == output.count {
                    output.append(contentsOf: repeatElement(0, count: output.count))
                } else if consumed == raw.count {
                    throw DataError(.truncated, "\(format.name) data ends inside its stream (after \(produced) decoded bytes)")
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    private static func reason(_ stream: z_stream) -> String {
        stream.msg.map { String(cString: $0) } ?? "no reason given"
    }
}
