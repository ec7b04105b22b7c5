import Foundation
import NoisyCore
import ZIPFoundation

/// Reads single members out of a zip archive (a Python wheel) with ZIPFoundation, without unzip
/// or Python. ZIPFoundation finds members through the central directory, inflates them with the
/// system's zlib and checks each one's CRC-32.
public struct ZipArchive {
    private let archive: Archive

    /// The zip archive in `bytes` (read in memory).
    /// - Throws: ``DataError`` `.corrupt` when `bytes` hold no readable zip central directory.
    public init(bytes: [UInt8]) throws {
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw DataError(.corrupt, "not a readable zip archive (\(bytes.count) bytes): \(error)")
        }
    }

    /// The zip archive at `path`.
    /// - Throws: ``DataError`` `.missingFile` or `.corrupt`, naming the file.
    public init(path: String) throws {
        guard FileBytes.isFile(path) else { throw DataError(.missingFile, "no zip archive here", path: path) }
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw DataError(.corrupt, "not a readable zip archive: \(error)", path: path)
        }
    }

    /// The members' names, in central-directory order.
    public var memberNames: [String] { archive.map(\.path) }

    /// The content of member `name`.
    /// - Throws: ``DataError`` `.missingFile` when there is no such member; `.corrupt` when it
    ///   cannot be decoded or fails its CRC-32.
    public func extract(_ name: String) throws -> [UInt8] {
        guard let entry = archive[name] else {
            throw DataError(.missingFile, "zip archive has no member \(name) (\(memberNames.count) members)")
        }
        var content = [UInt8]()
        content.reserveCapacity(Int(clamping: entry.uncompressedSize))
        do {
            _ = try archive.extract(entry, skipCRC32: false) { content.append(contentsOf: $0) }
        } catch {
            throw DataError(.corrupt, "zip member \(name) cannot be read: \(error)")
        }
        return content
    }
}
