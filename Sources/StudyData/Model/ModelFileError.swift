/// Why a model file could not be read.
public struct ModelFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Code: String, Sendable {
        /// Fewer bytes than the header and trailer need, or a section runs past the end.
        case truncated
        /// The first 8 bytes are not `NMSWMODL`.
        case badMagic
        /// A format version this reader does not know.
        case unsupportedVersion
        /// The SHA-256 at the end does not match the content (corrupted or truncated file).
        case hashMismatch
        /// Well-formed bytes whose content does not make a network (bad JSON, wrong shapes).
        case invalidContent
    }
    public let code: Code
    public let message: String
    public var description: String { "model file: \(message)" }
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
