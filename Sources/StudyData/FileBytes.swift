#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NoisyCore

/// Whole-file and chunked reads and atomic writes of bytes, with errors that name the file.
///
/// Plain POSIX calls: Foundation's `Data` would add a copy of every file into `[UInt8]`.
public enum FileBytes {
    /// The whole content of the file at `path`.
    /// - Throws: ``DataError`` (`.io`) with the system's reason (no such file, permission denied, …).
    ///   A file of more than `maxBytes` bytes is refused before anything is read.
    public static func read(_ path: String, maxBytes: Int = .max) throws -> [UInt8] {
        var out = [UInt8]()
        try forEachChunk(ofFileAt: path, chunkSize: 1 << 20, maxBytes: maxBytes) { out.append(contentsOf: $0) }
        return out
    }

    /// Calls `body` with consecutive chunks of at most `chunkSize` bytes of the file at `path`.
    ///
    /// Only a regular file is read: a FIFO, device or socket is refused at once (opened without
    /// blocking, then checked), since reading one could block forever or never end. A file of
    /// more than `maxBytes` bytes is refused before it is read.
    public static func forEachChunk(ofFileAt path: String, chunkSize: Int, maxBytes: Int = .max,
                                    _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { throw DataError(.io, "cannot open: \(systemReason())", path: path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DataError(.io, "cannot stat: \(systemReason())", path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw DataError(.io, "not a regular file (\(fileKind(info.st_mode))): only regular files are read", path: path)
        }
        guard Int(info.st_size) <= maxBytes else {
            throw DataError(.io, "the file has \(info.st_size) bytes, more than the \(maxBytes) allowed", path: path)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = Glibc_read(fd, buffer.baseAddress, chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError(.io, "cannot read: \(systemReason())", path: path)
            }
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n))
        }
    }

    /// Writes `bytes` to `path` atomically: into a temporary file beside it, then renamed over it.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw DataError(.io, "cannot create: \(systemReason())", path: temporary) }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc_write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += n
            }
            return true
        }
        let reason = ok ? "" : systemReason()
        close(fd)
        guard ok else {
            unlink(temporary)
            throw DataError(.io, "cannot write: \(reason)", path: path)
        }
        guard rename(temporary, path) == 0 else {
            let reason = systemReason()
            unlink(temporary)
            throw DataError(.io, "cannot move the written file into place: \(reason)", path: path)
        }
    }

    /// A file type's name, for errors.
    static func fileKind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFDIR: "a directory"
        default: "not a regular file"
        }
    }

    /// Whether a regular file exists at `path`.
    public static func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    static func systemReason() -> String {
        String(cString: strerror(errno))
    }
}

// `read`/`write` are shadowed by the static members above inside `FileBytes`.
@inline(__always) private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

@inline(__always) private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}

extension FileBytes {
    /// The content of the file at `path`, gunzipped when it starts with the gzip magic number
    /// (whatever its name), so readers take `x.idx` and `x.idx.gz` alike.
    /// - Throws: ``DataError`` naming the file.
    public static func readDecompressing(_ path: String) throws -> [UInt8] {
        try DataError.withPath(path) {
            let raw = try read(path)
            return Gzip.isGzip(raw) ? try Gzip.decompress(raw) : raw
        }
    }
}
