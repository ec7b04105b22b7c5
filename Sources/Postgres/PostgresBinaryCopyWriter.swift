internal import CLibPQ

/// Builds the rows of a `COPY … FROM STDIN (FORMAT binary)` and streams them to the server.
///
/// Binary COPY spares both sides the text round trip of numbers: a float8 is its 8 IEEE bytes in
/// network order (no shortest-digits formatting here, no `strtod` on the server), an integer its
/// two's-complement bytes, text its UTF-8 bytes with no escaping. Each row is a 16-bit field count
/// followed by each field as a 32-bit length (−1 for NULL) and its bytes.
///
/// The types must match the target columns exactly (the server does no cast in binary COPY): use
/// `append(_: Int64)` for `bigint`, `append(int32:)` for `integer`, `append(_: Double)` for
/// `double precision`, `append(_: String)` for `text`, `appendJSONB` for `jsonb`, `append(bytes:)` for
/// `bytea`, `append(_: Bool)` for `boolean`. A mismatch is refused by the server ("incorrect binary
/// data format"), naming the column. Call one `append` per column, then `endRow()`; a row with the
/// wrong number of fields throws. Bytes are sent in chunks of about ``flushThreshold``.
public struct PostgresBinaryCopyWriter: ~Copyable {
    let connection: OpaquePointer
    /// Fields every row must have (the COPY's column list).
    public let columnCount: Int
    var buffer: [UInt8] = []
    var fieldsInRow = 0
    /// Rows completed so far.
    public private(set) var rows = 0
    /// Bytes at which the buffer is handed to libpq.
    public var flushThreshold = 1 << 20

    /// The fixed file header: signature, flags (no OIDs), header-extension length 0.
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]

    init(connection: OpaquePointer, columnCount: Int) {
        self.connection = connection
        self.columnCount = columnCount
        buffer.reserveCapacity(flushThreshold + 4096)
        buffer.append(contentsOf: Self.header)
    }

    @inline(__always)
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }

    /// Starts a field: the row's field count before its first field, then this field's length.
    @inline(__always)
    mutating func beginField(length: Int32) {
        if fieldsInRow == 0 { appendBigEndian(Int16(truncatingIfNeeded: columnCount)) }
        fieldsInRow += 1
        appendBigEndian(length)
    }

    /// SQL NULL (any column type).
    public mutating func appendNull() { beginField(length: -1) }

    /// A `text` (or `varchar`) value: its UTF-8 bytes, no escaping.
    public mutating func append(_ value: String) {
        var value = value
        value.withUTF8 { bytes in
            beginField(length: Int32(bytes.count))
            buffer.append(contentsOf: bytes)
        }
    }

    /// A `text` value or NULL.
    public mutating func append(_ value: String?) {
        if let value { append(value) } else { appendNull() }
    }

    /// A `jsonb` value given as JSON text (format version 1 + the text; the server parses and checks it).
    public mutating func appendJSONB(_ json: String) {
        var json = json
        json.withUTF8 { bytes in
            beginField(length: Int32(bytes.count + 1))
            buffer.append(1)
            buffer.append(contentsOf: bytes)
        }
    }

    /// A `jsonb` value or NULL.
    public mutating func appendJSONB(_ json: String?) {
        if let json { appendJSONB(json) } else { appendNull() }
    }

    /// A `bigint`.
    public mutating func append(_ value: Int64) {
        beginField(length: 8)
        appendBigEndian(value)
    }

    /// An `integer`.
    public mutating func append(int32 value: Int32) {
        beginField(length: 4)
        appendBigEndian(value)
    }

    /// A `double precision`: its IEEE-754 bits, bit for bit (NaN and infinities included).
    public mutating func append(_ value: Double) {
        beginField(length: 8)
        appendBigEndian(value.bitPattern)
    }

    /// A `double precision` or NULL.
    public mutating func append(_ value: Double?) {
        if let value { append(value) } else { appendNull() }
    }

    /// A `boolean`.
    public mutating func append(_ value: Bool) {
        beginField(length: 1)
        buffer.append(value ? 1 : 0)
    }

    /// A `bytea`: the bytes as they are.
    public mutating func append(bytes: some Collection<UInt8>) {
        beginField(length: Int32(bytes.count))
        buffer.append(contentsOf: bytes)
    }

    /// Ends the current row; sends the buffer when it has grown past ``flushThreshold``.
    public mutating func endRow() throws {
        guard fieldsInRow == columnCount else {
            throw PostgresError(.invalidArgument,
                                "binary COPY row \(rows + 1) has \(fieldsInRow) field(s), the COPY's column list has \(columnCount)")
        }
        fieldsInRow = 0
        rows += 1
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Appends the trailer (a field count of −1).
    mutating func finish() {
        appendBigEndian(Int16(-1))
    }

    mutating func flush() throws {
        try sendCopyData(&buffer, on: connection)
    }
}

extension PostgresConnection {
    /// Runs `COPY table (columns) FROM STDIN (FORMAT binary)` (`sql`, which must say so) for
    /// `columnCount` columns, letting `body` write the rows; returns the number of rows the server took.
    ///
    /// If `body` throws (or ends inside a row), the COPY is aborted, nothing is inserted and the error
    /// is rethrown. Inside a ``transaction(_:)`` the rows become visible only at COMMIT.
    @discardableResult
    public func copyFromBinary(_ sql: String, columnCount: Int,
                               _ body: (inout PostgresBinaryCopyWriter) throws -> Void) throws -> Int {
        guard columnCount > 0, columnCount <= Int(Int16.max) else {
            throw PostgresError(.invalidArgument, "binary COPY needs 1…\(Int16.max) columns, got \(columnCount)")
        }
        return try copyIn(sql) { connection in
            var writer = PostgresBinaryCopyWriter(connection: connection, columnCount: columnCount)
            try body(&writer)
            guard writer.fieldsInRow == 0 else {
                throw PostgresError(.invalidArgument,
                                    "binary COPY ended inside row \(writer.rows + 1) (\(writer.fieldsInRow) of \(columnCount) fields; call endRow())")
            }
            writer.finish()
            try writer.flush()
        }
    }
}
