/// An error of the text encoder: a model file that cannot be read or does not describe the model
/// this encoder implements, or bad text input.
///
/// The description is one sentence for a person: the file at fault, what is wrong and what to do.
public struct TextEncoderError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of fault this is (stable, for programs; the message is for people).
    public enum Code: String, Sendable {
        /// A file could not be opened or read.
        case io
        /// A file breaks its format (bad header, offsets outside the file, bad JSON).
        case corrupt
        /// A valid file describing something this encoder does not implement (another
        /// architecture, pooling, dtype or shape).
        case unsupported
        /// A tensor or configuration field the model needs is not there.
        case missing
        /// Input text that cannot be used (not UTF-8).
        case invalidInput
    }

    /// The kind of fault.
    public var code: Code
    /// What is wrong (and what to do).
    public var message: String
    /// The file at fault, if any.
    public var path: String?
    /// Where the error was raised (for maintainers; not part of ``description``).
    public var location: String

    public init(_ code: Code, _ message: String, path: String? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.path = path
        self.location = "\(file):\(line)"
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }

    public static func == (lhs: TextEncoderError, rhs: TextEncoderError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.path == rhs.path
    }
}
