import Foundation
import StudyData

/// A command cell's output folder as one artifact file: the bytes its SHA-256 names, written and
/// read in chunks so memory stays bounded whatever the folder's size.
///
/// Layout: the magic `NMSWEEP-OUTPUT/1\n`, then per regular file, in sorted path order: the path
/// relative to the folder (u32 little-endian length, UTF-8, `/`-separated, no `.` or `..`
/// components), its size (u64 little-endian) and its bytes; then a u32 zero. The same folder
/// always packs to the same bytes.
package enum OutputArchive {
    static let magic = Array("NMSWEEP-OUTPUT/1\n".utf8)
    /// Bytes read or written at a time.
    static let chunkBytes = 1 << 20

    /// What packing made.
    package struct Packed: Sendable {
        package var sha256: String
        package var bytes: UInt64
        package var files: Int
    }

    /// Packs every regular file under `folder` into a new file at `archive`, hashing as it writes.
    /// - Throws: ``OutputArchiveError`` naming the file that is not regular or cannot be read.
    package static func pack(folder: String, into archive: String) throws -> Packed {
        guard FileManager.default.createFile(atPath: archive, contents: nil), let out = FileHandle(forWritingAtPath: archive) else {
            throw OutputArchiveError(message: "cannot create \(archive)")
        }
        defer { try? out.close() }
        var hasher = SHA256()
        var total: UInt64 = 0
        func emit(_ bytes: [UInt8]) throws {
            hasher.update(bytes)
            total += UInt64(bytes.count)
            try out.write(contentsOf: bytes)
        }
        try emit(magic)
        let paths = try files(under: folder)
        for relative in paths {
            let full = folder + "/" + relative
            let size = try FileManager.default.attributesOfItem(atPath: full)[.size] as? UInt64 ?? 0
            try emit(le(UInt32(relative.utf8.count)) + Array(relative.utf8) + le(size))
            guard let input = FileHandle(forReadingAtPath: full) else { throw OutputArchiveError(message: "cannot read \(relative)") }
            defer { try? input.close() }
            var copied: UInt64 = 0
            while let data = try input.read(upToCount: chunkBytes), !data.isEmpty {
                try emit([UInt8](data))
                copied += UInt64(data.count)
            }
            guard copied == size else { throw OutputArchiveError(message: "\(relative) changed size while it was packed") }
        }
        try emit(le(UInt32(0)))
        return Packed(sha256: hasher.finalize().hex, bytes: total, files: paths.count)
    }

    /// Unpacks the archive at `archive` into `folder` (which must not exist yet), checking every
    /// path and length.
    /// - Throws: ``OutputArchiveError`` naming what is malformed.
    package static func unpack(_ archive: String, into folder: String) throws {
        guard let input = FileHandle(forReadingAtPath: archive) else { throw OutputArchiveError(message: "cannot read \(archive)") }
        defer { try? input.close() }
        func read(_ count: Int) throws -> [UInt8] {
            guard count > 0 else { return [] }
            let data = try input.read(upToCount: count) ?? Data()
            guard data.count == count else { throw OutputArchiveError(message: "the output archive is cut short") }
            return [UInt8](data)
        }
        guard try read(magic.count) == magic else { throw OutputArchiveError(message: "not an output archive (wrong magic)") }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        while true {
            let length = Int(uint(try read(4)))
            if length == 0 { break }
            guard length <= 4096 else { throw OutputArchiveError(message: "a path of \(length) bytes in the output archive") }
            let path = String(decoding: try read(length), as: UTF8.self)
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.hasPrefix("/"), components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
                throw OutputArchiveError(message: "the output archive names an unsafe path '\(path)'")
            }
            var remaining = uint(try read(8))
            let target = folder + "/" + path
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: target, contents: nil), let out = FileHandle(forWritingAtPath: target) else {
                throw OutputArchiveError(message: "cannot write \(target)")
            }
            defer { try? out.close() }
            while remaining > 0 {
                let chunk = try read(Int(min(remaining, UInt64(chunkBytes))))
                try out.write(contentsOf: chunk)
                remaining -= UInt64(chunk.count)
            }
        }
    }

    /// The regular files under `folder`, relative and sorted; refuses anything else (a symbolic
    /// link could point anywhere on the worker).
    static func files(under folder: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            throw OutputArchiveError(message: "cannot list \(folder)")
        }
        var paths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let type = enumerator.fileAttributes?[.type] as? FileAttributeType
            switch type {
            case .typeDirectory?: continue
            case .typeRegular?: paths.append(relative)
            default: throw OutputArchiveError(message: "\(relative) is not a regular file or folder (a link or device): outputs must be plain files")
            }
        }
        return paths.sorted()
    }

    private static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    private static func uint(_ bytes: [UInt8]) -> UInt64 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// A malformed or unreadable output folder or archive.
package struct OutputArchiveError: Error, CustomStringConvertible, Sendable {
    package var message: String
    package var description: String { message }
}
