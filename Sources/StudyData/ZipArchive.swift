import NoisyCore

/// Reads single members out of a zip archive (a Python wheel), without unzip or Python.
///
/// Handles the members wheels hold: stored (method 0) or deflated (method 8), found through the
/// central directory; checks each member's CRC-32. ZIP64 archives (over 4 GiB) are refused.
public struct ZipArchive {
    /// One member as the central directory describes it.
    public struct Entry: Sendable {
        public let name: String
        public let method: Int
        public let crc32: UInt32
        public let compressedSize: Int
        public let size: Int
        let localHeaderOffset: Int
    }

    /// The archive's bytes.
    public let bytes: [UInt8]
    /// The members, in central-directory order.
    public let entries: [Entry]

    /// Parses the central directory of the zip archive in `bytes`.
    /// - Throws: ``DataError`` `.corrupt`/`.truncated`/`.unsupported`.
    public init(bytes: [UInt8]) throws {
        self.bytes = bytes
        entries = try bytes.withUnsafeBytes { try Self.readDirectory($0) }
    }

    /// The archive at `path`.
    public init(path: String) throws {
        try self.init(bytes: FileBytes.read(path))
    }

    /// The content of member `name`.
    /// - Throws: ``DataError`` `.missingFile` when there is no such member; `.corrupt` on a bad
    ///   header or CRC.
    public func extract(_ name: String) throws -> [UInt8] {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw DataError(.missingFile, "zip archive has no member \(name) (\(entries.count) members)")
        }
        return try bytes.withUnsafeBytes { raw in
            let local = entry.localHeaderOffset
            guard local + 30 <= raw.count, readLE32(raw, local) == 0x0403_4B50 else {
                throw DataError(.corrupt, "zip member \(name): no local header at byte \(local)")
            }
            let start = local + 30 + readLE16(raw, local + 26) + readLE16(raw, local + 28)
            guard start + entry.compressedSize <= raw.count else {
                throw DataError(.truncated, "zip member \(name) runs past the end of the archive")
            }
            let data = UnsafeRawBufferPointer(rebasing: raw[start..<(start + entry.compressedSize)])
            let content: [UInt8]
            switch entry.method {
            case 0: content = Array(data)
            case 8:
                guard entry.compressedSize > 0 else { throw DataError(.corrupt, "zip member \(name) has an empty deflate stream") }
                content = try Inflate.decompress(data, expectedSize: entry.size).output
            default:
                throw DataError(.unsupported, "zip member \(name) uses compression method \(entry.method) (only 0 and 8 are read)")
            }
            guard content.count == entry.size else {
                throw DataError(.corrupt, "zip member \(name) decodes to \(content.count) bytes, the directory says \(entry.size)")
            }
            let crc = Checksum.crc32(content)
            guard crc == entry.crc32 else {
                throw DataError(.corrupt, "zip member \(name) CRC-32 \(hex32(crc)) differs from the directory's \(hex32(entry.crc32))")
            }
            return content
        }
    }

    private static func readDirectory(_ raw: UnsafeRawBufferPointer) throws -> [Entry] {
        // The end-of-central-directory record: 22 bytes plus a comment of up to 65,535 bytes.
        guard raw.count >= 22 else { throw DataError(.truncated, "zip archive of \(raw.count) bytes is too short") }
        var end = -1
        var i = raw.count - 22
        let lowest = max(0, raw.count - 22 - 65_535)
        while i >= lowest {
            if readLE32(raw, i) == 0x0605_4B50 { end = i; break }
            i -= 1
        }
        guard end >= 0 else { throw DataError(.corrupt, "not a zip archive: no end-of-central-directory record") }
        let count = readLE16(raw, end + 10)
        let directorySize = Int(readLE32(raw, end + 12))
        let directoryOffset = Int(readLE32(raw, end + 16))
        guard count != 0xFFFF, directoryOffset != 0xFFFF_FFFF else {
            throw DataError(.unsupported, "ZIP64 archives are not read")
        }
        guard directoryOffset + directorySize <= end else {
            throw DataError(.corrupt, "zip central directory (\(directorySize) bytes at \(directoryOffset)) overlaps its end record")
        }
        var entries = [Entry]()
        var p = directoryOffset
        for index in 0..<count {
            guard p + 46 <= end, readLE32(raw, p) == 0x0201_4B50 else {
                throw DataError(.corrupt, "zip central directory entry \(index) at byte \(p) is damaged")
            }
            let nameLength = readLE16(raw, p + 28)
            let extraLength = readLE16(raw, p + 30)
            let commentLength = readLE16(raw, p + 32)
            guard p + 46 + nameLength <= end else { throw DataError(.truncated, "zip central directory entry \(index) is cut short") }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: raw[(p + 46)..<(p + 46 + nameLength)]), as: UTF8.self)
            entries.append(Entry(
                name: name, method: readLE16(raw, p + 10), crc32: readLE32(raw, p + 16),
                compressedSize: Int(readLE32(raw, p + 20)), size: Int(readLE32(raw, p + 24)),
                localHeaderOffset: Int(readLE32(raw, p + 42))))
            p += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }
}
