/// The checksums of the gzip, zlib and zip containers: CRC-32 (IEEE 802.3, reflected) and Adler-32.
public enum Checksum {
    /// CRC-32 of `bytes`, continuing from `crc` (0 for a new message), as gzip and zip use it.
    ///
    /// Slicing-by-4 tables: about 4 bytes per table step; a few hundred MB/s in release builds.
    public static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var c = ~crc
        guard let base = bytes.baseAddress else { return crc }
        let n = bytes.count
        crcTables.withUnsafeBufferPointer { t in
            var i = 0
            while i + 4 <= n {
                c ^= UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                c = t[768 + Int(c & 0xFF)] ^ t[512 + Int((c >> 8) & 0xFF)]
                    ^ t[256 + Int((c >> 16) & 0xFF)] ^ t[Int(c >> 24)]
                i += 4
            }
            while i < n {
                c = t[Int((c ^ UInt32(base.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        return ~c
    }

    /// CRC-32 of `bytes`.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0) }
    }

    /// Adler-32 of `bytes`, as zlib uses it.
    public static func adler32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        let n = bytes.count
        while i < n {
            // 5552 is the largest run for which the sums cannot overflow 32 bits (zlib's NMAX).
            let end = min(i + 5552, n)
            while i < end {
                a &+= UInt32(bytes[i])
                b &+= a
                i += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    /// Four 256-entry tables: table k advances the CRC of a byte followed by k zero bytes.
    private static let crcTables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 1024)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[n] = c
        }
        for n in 0..<256 {
            for k in 1..<4 {
                let previous = t[(k - 1) * 256 + n]
                t[k * 256 + n] = t[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return t
    }()
}
