import NoisyCore
import StudyData

/// Texts stored one per line in a UTF-8 file (the input of `nmsweep embed`).
public enum TextLines {
    /// The lines of `bytes`: split at LF, a CR before the LF dropped, no text after a final LF.
    /// Empty lines are empty texts. A UTF-8 byte-order mark at the start is skipped.
    /// - Throws: ``TextEncoderError`` `.invalidInput` naming the line and byte offset of the first
    ///   byte sequence that is not UTF-8.
    public static func decode(_ bytes: [UInt8], path: String? = nil) throws -> [String] {
        var lines = [String]()
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lineNumber = 1
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var stop = end
            if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
            let slice = bytes[start..<stop]
            guard let text = String(validating: slice, as: UTF8.self) else {
                var valid = start
                var decoder = UTF8()
                var iterator = slice.makeIterator()
                scan: while true {
                    switch decoder.decode(&iterator) {
                    case .scalarValue(let scalar): valid += UTF8.width(scalar)
                    case .emptyInput, .error: break scan
                    }
                }
                throw TextEncoderError(.invalidInput, "line \(lineNumber) is not UTF-8 (bad byte 0x\(String(bytes[valid], radix: 16)) at byte offset \(valid)); convert the file to UTF-8 (e.g. iconv -t UTF-8)", path: path)
            }
            lines.append(text)
            start = end + 1
            lineNumber += 1
        }
        return lines
    }

    /// The lines of the file at `path` (see ``decode(_:path:)``).
    public static func read(_ path: String) throws -> [String] {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch {
            throw TextEncoderError(.io, "cannot read the text file: \(error)", path: path)
        }
        return try decode(bytes, path: path)
    }
}
