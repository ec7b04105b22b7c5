/// An error about data: a data set in memory that does not hold together (thrown here, in the
/// core), or a data file that cannot be read, decoded, fetched or verified (thrown by StudyData).
///
/// The description is one sentence for a person: the file at fault (when there is one), what is
/// wrong with it and, where there is one, what to do about it. Decoders that see only bytes throw
/// with `path == nil`; the file-level readers attach the path with ``at(_:)``.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of fault this is (stable, for programs; the message is for people).
    public enum Code: String, Sendable {
        /// The file could not be opened, read or written.
        case io
        /// The content ends before its header says it should.
        case truncated
        /// The content breaks its format (bad magic, bad code, bad checksum, trailing bytes).
        case corrupt
        /// A valid file of a kind this reader does not handle (big-endian NPY, Fortran order, …).
        case unsupported
        /// An element type that the caller's use does not accept (float labels, integer features).
        case wrongDtype
        /// Shapes or counts that do not agree (images vs labels, rows vs columns).
        case shapeMismatch
        /// A file whose SHA-256 differs from the pinned one.
        case hashMismatch
        /// A data file that should be in the data folder and is not.
        case missingFile
        /// An outside step of `nmsweep data fetch` (apt-get, pip) failed.
        case fetchFailed
        /// A task or data set name that does not exist.
        case unknownName
        /// A parameter out of its range.
        case invalidArgument
    }

    /// The kind of fault.
    public var code: Code
    /// The file at fault, if the fault belongs to one.
    public var path: String?
    /// What is wrong (and what to do), without the path.
    public var message: String

    /// An error of kind `code` about `path`.
    public init(_ code: Code, _ message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    /// This error with `path` attached (an existing path is kept: it is the more precise one).
    public func at(_ path: String) -> DataError {
        var copy = self
        if copy.path == nil { copy.path = path }
        return copy
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }
}

extension DataError {
    /// Runs `body`, attaching `path` to any ``DataError`` it throws (the file readers' wrapper
    /// around decoders that see only bytes).
    public static func withPath<R>(_ path: String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as DataError {
            throw error.at(path)
        }
    }
}
