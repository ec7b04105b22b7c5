import Foundation
import StudyData

/// Artifacts as files in a folder: a worker's cache (`<cache>/artifacts/<hex>.bin`) or the
/// shared folder of `--artifact-dir` (`<dir>/sha256/<first two hex digits>/<hex>`, so no folder
/// holds more than 1/256 of them), which the coordinator and its workers reach on one shared
/// file system, each possibly at another mount point.
///
/// Writes go to a temporary name in the artifact's own folder (`.<hex>.<pid>-<random>.tmp`),
/// hashed as they are written, and at commit are checked (size, SHA-256), fsynced and renamed: a
/// reader never finds half a file under a digest, and two writers of the same bytes (two workers
/// that made the same model) leave one whole file. ``readVerified(_:)`` and ``verify(_:)``
/// hash as they read and move a file whose bytes no longer match (truncated, damaged) aside to
/// `<name>.corrupt-<random>`, so it is made or fetched again.
public struct ArtifactFolder: ArtifactBackend, Sendable {
    /// How artifacts are named under ``root``.
    public enum Layout: Sendable {
        /// `<root>/<hex>.bin` (a worker's cache).
        case cache
        /// `<root>/sha256/<hex prefix 2>/<hex>` (the shared artifact folder).
        case shared
    }

    public let root: String
    public let layout: Layout
    public var location: String { layout == .shared ? "the shared artifact folder \(root)" : "the artifact cache \(root)" }

    public init(root: String, layout: Layout) {
        self.root = root
        self.layout = layout
    }

    /// The shared folder at `root`, checked: it must exist and take a file (written, fsynced,
    /// removed), so a folder missing or unwritable is found at start-up, naming the path.
    /// - Throws: ``ArtifactStoreError`` (`.storage`) saying what is wrong with which path.
    public static func shared(at root: String) throws -> ArtifactFolder {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ArtifactStoreError(.storage, "--artifact-dir \(root): no such folder (create it on the shared file system, or mount it here)")
        }
        let folder = ArtifactFolder(root: root, layout: .shared)
        let probe = "\(root)/.nmsweep-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw ArtifactStoreError(.storage, "--artifact-dir \(root): cannot write there (\(String(cString: strerror(errno)))): artifacts could not be stored")
        }
        close(fd)
        unlink(probe)
        return folder
    }

    /// The file of an artifact.
    public func path(_ digest: ArtifactDigest) -> String {
        let hex = digest.hex
        switch layout {
        case .cache: return "\(root)/\(hex).bin"
        case .shared: return "\(root)/sha256/\(hex.prefix(2))/\(hex)"
        }
    }

    public func size(of digest: ArtifactDigest) throws -> UInt64? {
        var info = stat()
        guard stat(path(digest), &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw ArtifactStoreError(.storage, "\(location): cannot look at \(path(digest)): \(String(cString: strerror(errno)))")
        }
        return UInt64(info.st_size)
    }

    public func writer(for digest: ArtifactDigest, totalBytes: UInt64) throws -> any ArtifactWriter {
        try FolderArtifactWriter(folder: self, digest: digest, totalBytes: totalBytes)
    }

    public func reader(for digest: ArtifactDigest) throws -> (any ArtifactReader)? {
        guard let size = try size(of: digest) else { return nil }
        return try FolderArtifactReader(path: path(digest), digest: digest, totalBytes: size)
    }

    /// Every artifact held (at most `limit`), by file name.
    public func list(limit: Int) -> [ArtifactDigest] {
        var digests: [ArtifactDigest] = []
        func scan(_ folder: String, suffix: String) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(suffix) && !name.hasPrefix(".") {
                if let digest = ArtifactDigest(hex: String(name.dropLast(suffix.count))), name.count == 64 + suffix.count { digests.append(digest) }
            }
        }
        switch layout {
        case .cache: scan(root, suffix: ".bin")
        case .shared:
            for prefix in (try? FileManager.default.contentsOfDirectory(atPath: root + "/sha256")) ?? [] where prefix.count == 2 {
                scan("\(root)/sha256/\(prefix)", suffix: "")
                if digests.count >= limit { break }
            }
        }
        return Array(digests.sorted().prefix(limit))
    }

    /// The artifact's bytes, checked against its SHA-256 as they are read; nil when it is not
    /// stored, or when its bytes no longer match (the file is then moved aside). For small
    /// artifacts (a model file); large ones are read with ``reader(for:)``.
    public func readVerified(_ digest: ArtifactDigest) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path(digest)) else { return nil }
        let bytes = [UInt8](data)
        guard SHA256.hash(bytes).hex == digest.hex else {
            quarantine(digest)
            return nil
        }
        return bytes
    }

    /// Whether the stored file hashes to its digest, read in chunks (memory: one chunk); a file
    /// that does not is moved aside.
    public func verify(_ digest: ArtifactDigest) -> Bool {
        guard let hash = try? SHA256.hash(fileAt: path(digest)) else { return false }
        guard hash.hex == digest.hex else {
            quarantine(digest)
            return false
        }
        return true
    }

    /// Moves a damaged file aside (`<name>.corrupt-<random>`): it is no longer found, and stays
    /// for a post-mortem.
    public func quarantine(_ digest: ArtifactDigest) {
        _ = rename(path(digest), path(digest) + ".corrupt-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))")
    }

    /// Makes the finished file at `file` (whose SHA-256 and size the caller computed while it
    /// wrote it) the artifact `digest`: renamed in when it is on the same file system, else
    /// copied in chunks through a verifying writer. `file` is gone afterwards.
    public func adopt(file: String, digest: ArtifactDigest, kind: String) throws {
        try FileManager.default.createDirectory(atPath: (path(digest) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(file, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        if rename(file, path(digest)) == 0 {
            FolderArtifactWriter.syncFolder(of: path(digest))
            return
        }
        guard errno == EXDEV else {
            throw ArtifactStoreError(.storage, "\(location): cannot move \(file) to \(path(digest)): \(String(cString: strerror(errno)))")
        }
        defer { unlink(file) }
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        let reader = try FolderArtifactReader(path: file, digest: digest, totalBytes: size)
        try Self.copy(reader, into: try writer(for: digest, totalBytes: size), kind: kind)
    }
}

/// Writes one artifact into an ``ArtifactFolder`` (see there).
final class FolderArtifactWriter: ArtifactWriter {
    let digest: ArtifactDigest
    let totalBytes: UInt64
    private(set) var writtenBytes: UInt64 = 0
    let destination: String
    let temporary: String
    let location: String
    /// fsync before the rename (the shared folder: a result is committed only once its artifact
    /// is durable); a worker's cache skips it (it is checked again when read).
    let durable: Bool
    private var fd: Int32
    private var hasher = SHA256()

    init(folder: ArtifactFolder, digest: ArtifactDigest, totalBytes: UInt64) throws {
        self.digest = digest
        self.totalBytes = totalBytes
        destination = folder.path(digest)
        location = folder.location
        durable = folder.layout == .shared
        let directory = (destination as NSString).deletingLastPathComponent
        temporary = "\(directory)/.\(digest.hex).\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16)).tmp"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ArtifactStoreError(.storage, "\(folder.location): cannot create \(directory): \(error)")
        }
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            throw ArtifactStoreError(.storage, "\(folder.location): cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
    }

    deinit { abandon() }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw ArtifactStoreError(.storage, "artifact \(digest.hex.prefix(12)): written after it ended") }
        guard writtenBytes + UInt64(bytes.count) <= totalBytes else {
            throw ArtifactStoreError(.sizeMismatch, "artifact \(digest.hex.prefix(12)): more than the \(totalBytes) bytes declared")
        }
        hasher.update(bytes)
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw ArtifactStoreError(.storage, "\(location): cannot write \(temporary): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        writtenBytes += UInt64(bytes.count)
    }

    func commit(kind: String) throws {
        guard fd >= 0 else { throw ArtifactStoreError(.storage, "artifact \(digest.hex.prefix(12)): committed after it ended") }
        defer { abandon() }
        guard writtenBytes == totalBytes else {
            throw ArtifactStoreError(.sizeMismatch, "artifact \(digest.hex.prefix(12)): \(writtenBytes) bytes of the \(totalBytes) declared")
        }
        let hash = hasher.finalize().hex
        guard hash == digest.hex else {
            throw ArtifactStoreError(.digestMismatch, "artifact bytes hash to \(hash.prefix(12)), not \(digest.hex.prefix(12))")
        }
        guard !durable || fsync(fd) == 0 else {
            throw ArtifactStoreError(.storage, "\(location): cannot sync \(temporary): \(String(cString: strerror(errno)))")
        }
        close(fd)
        fd = -1
        guard rename(temporary, destination) == 0 else {
            throw ArtifactStoreError(.storage, "\(location): cannot rename \(temporary) to \(destination): \(String(cString: strerror(errno)))")
        }
        if durable { Self.syncFolder(of: destination) }
    }

    func abandon() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(temporary)
    }

    /// fsync of the folder holding `path`, so the rename itself survives a crash (best effort).
    static func syncFolder(of path: String) {
        let fd = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// Reads one artifact file of an ``ArtifactFolder`` by chunk.
final class FolderArtifactReader: ArtifactReader {
    let digest: ArtifactDigest
    let totalBytes: UInt64
    let path: String
    private let fd: Int32

    init(path: String, digest: ArtifactDigest, totalBytes: UInt64) throws {
        self.digest = digest
        self.totalBytes = totalBytes
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            if errno == ENOENT { throw ArtifactStoreError(.missing, "artifact \(digest.hex.prefix(12)) is not in \(path)") }
            throw ArtifactStoreError(.storage, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    func chunk(_ index: UInt32) throws -> [UInt8] {
        let range = ArtifactChunking.range(of: index, totalBytes: totalBytes)
        let count = Int(range.count)
        var read = 0
        let bytes = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            while read < count {
                let n = pread(fd, buffer.baseAddress! + read, count - read, off_t(range.lowerBound) + off_t(read))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ArtifactStoreError(.storage, "cannot read \(path): \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                read += n
            }
            initialized = read
        }
        guard read == count else {
            throw ArtifactStoreError(.sizeMismatch, "\(path) is cut short: \(range.lowerBound + UInt64(read)) of \(totalBytes) bytes")
        }
        return bytes
    }
}

extension ArtifactFolder {
    /// Stores a copy of the file at `path` (streamed: hashed, then copied chunk by chunk through
    /// a verifying writer) and says what it stored; the file stays.
    public func store(fileAt path: String, kind: String) throws -> (digest: ArtifactDigest, bytes: UInt64) {
        let digest = ArtifactDigest(hex: try SHA256.hash(fileAt: path).hex)!
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        if try self.size(of: digest) == size { return (digest, size) }
        let reader = try FolderArtifactReader(path: path, digest: digest, totalBytes: size)
        try Self.copy(reader, into: try writer(for: digest, totalBytes: size), kind: kind)
        return (digest, size)
    }

    /// The identity of this folder (`<root>/nmsweep-folder-id`, 16 random hex digits, made by
    /// whoever comes first): the coordinator and a worker that see the same identity share the
    /// folder, whatever path each mounts it at.
    /// - Throws: ``ArtifactStoreError`` when it can be neither read nor made.
    public func identity() throws -> String {
        let file = root + "/nmsweep-folder-id"
        for _ in 0..<2 {
            if let text = try? String(contentsOfFile: file, encoding: .utf8) {
                let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if id.count == 16, id.allSatisfy(\.isHexDigit) { return id }
            }
            let id = String(format: "%016llx", UInt64.random(in: 0...UInt64.max))
            let temporary = "\(file).\(getpid()).tmp"
            try? Data((id + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
            // link() fails if the file exists: the first one made wins, the others read it.
            if link(temporary, file) == 0 { FolderArtifactWriter.syncFolder(of: file) }
            unlink(temporary)
        }
        throw ArtifactStoreError(.storage, "\(location): cannot read or make \(file)")
    }
}
