public import NoisyCore

/// A numeric CSV table (gzip'd or not): every field a number, an optional header line.
public struct CSVTable: Sendable {
    /// The header's column names, if the file has a header line.
    public let header: [String]?
    /// The values, one matrix row per data line (as `Float`: the data sets hold small integers,
    /// which `Float` represents exactly up to 2^24).
    public let values: Matrix

    /// Number of data rows.
    public var rows: Int { values.rows }
    /// Number of columns.
    public var cols: Int { values.cols }
}

/// Reads numeric CSV files.
public enum CSV {
    /// Whether the first line is a header.
    public enum Header: Sendable {
        /// No header: the first line is data.
        case absent
        /// The first line is a header.
        case present
        /// A header if any field of the first line is not a number.
        case automatic
    }

    /// Reads the CSV file at `path` (gzip'd or not).
    /// - Throws: ``DataError`` naming the file, with the line and column of a bad field or a
    ///   line of the wrong length.
    public static func read(_ path: String, header: Header = .automatic, delimiter: UInt8 = UInt8(ascii: ",")) throws -> CSVTable {
        try DataError.withPath(path) { try decode(FileBytes.readDecompressing(path), header: header, delimiter: delimiter) }
    }

    /// Parses CSV bytes. Lines end in LF or CRLF; blank lines are skipped; fields are trimmed of
    /// spaces; numbers are integers or decimals with an optional exponent (`nan`/`inf` too).
    public static func decode(_ bytes: [UInt8], header: Header = .automatic, delimiter: UInt8 = UInt8(ascii: ",")) throws -> CSVTable {
        var values = [Float]()
        var headerNames: [String]?
        var cols = -1
        var rows = 0
        var fields = [Float]()
        var fieldTexts = [String]()
        try bytes.withUnsafeBufferPointer { buffer in
            let n = buffer.count
            var lineStart = 0
            var lineNumber = 0
            while lineStart < n {
                var lineEnd = lineStart
                while lineEnd < n && buffer[lineEnd] != 0x0A { lineEnd += 1 }
                let next = lineEnd + 1
                var end = lineEnd
                if end > lineStart && buffer[end - 1] == 0x0D { end -= 1 }
                lineNumber += 1
                defer { lineStart = next }
                if isBlank(buffer, lineStart, end) { continue }
                let isFirst = cols < 0 && headerNames == nil
                fields.removeAll(keepingCapacity: true)
                fieldTexts.removeAll(keepingCapacity: true)
                var allNumeric = true
                var fieldStart = lineStart
                var column = 0
                while true {
                    var fieldEnd = fieldStart
                    while fieldEnd < end && buffer[fieldEnd] != delimiter { fieldEnd += 1 }
                    column += 1
                    let value = parseNumber(buffer, fieldStart, fieldEnd)
                    if let value {
                        fields.append(value)
                    } else if isFirst && header != .absent {
                        allNumeric = false
                    } else {
                        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[fieldStart..<fieldEnd]), as: UTF8.self)
                        throw DataError(.corrupt, "CSV line \(lineNumber), column \(column): \"\(text)\" is not a number")
                    }
                    if isFirst {
                        fieldTexts.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[fieldStart..<fieldEnd]), as: UTF8.self)
                            .trimmingSpaces())
                    }
                    if fieldEnd >= end { break }
                    fieldStart = fieldEnd + 1
                }
                if isFirst && (header == .present || !allNumeric) {
                    headerNames = fieldTexts
                    cols = fieldTexts.count
                    continue
                }
                if cols < 0 {
                    cols = fields.count
                    values.reserveCapacity(cols * max(1, n / max(1, end - lineStart + 1)))
                }
                guard fields.count == cols else {
                    throw DataError(.shapeMismatch, "CSV line \(lineNumber) has \(fields.count) fields, the first line has \(cols)")
                }
                values.append(contentsOf: fields)
                rows += 1
            }
        }
        guard rows > 0 else { throw DataError(.truncated, "CSV data has no data lines") }
        return CSVTable(header: headerNames, values: Matrix(rows: rows, cols: cols, elements: values))
    }

    private static func isBlank(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        for i in start..<end where b[i] != 0x20 && b[i] != 0x09 { return false }
        return true
    }

    /// The number in `b[start..<end]` (spaces trimmed), or nil.
    private static func parseNumber(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Float? {
        var s = start, e = end
        while s < e && (b[s] == 0x20 || b[s] == 0x09) { s += 1 }
        while e > s && (b[e - 1] == 0x20 || b[e - 1] == 0x09) { e -= 1 }
        guard s < e else { return nil }
        // Fast path: a plain integer of at most 9 digits (every pixel and label of the data sets).
        var i = s
        let negative = b[i] == UInt8(ascii: "-")
        if negative || b[i] == UInt8(ascii: "+") { i += 1 }
        if i < e && e - i <= 9 {
            var value = 0
            var j = i
            while j < e, b[j] >= 0x30, b[j] <= 0x39 {
                value = value * 10 + Int(b[j] - 0x30)
                j += 1
            }
            if j == e { return Float(negative ? -value : value) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
        return Double(text).map { Float($0) }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars.removeFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
