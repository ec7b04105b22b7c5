internal import CLibPQ

/// Builds the rows of a `COPY … FROM STDIN` in PostgreSQL's text format and streams them to the server.
///
/// Call `append` once per column, then `endRow()`. Bytes are buffered and sent in chunks of about
/// ``flushThreshold`` bytes, so memory stays bounded whatever the number of rows.
public struct PostgresCopyWriter: ~Copyable {
    let connection: OpaquePointer
    var buffer: [UInt8] = []
    var atRowStart = true
    /// Rows completed so far.
    public private(set) var rows = 0
    /// Bytes at which the buffer is handed to libpq.
    public var flushThreshold = 1 << 20

    init(connection: OpaquePointer) {
        self.connection = connection
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    mutating func separator() {
        if atRowStart { atRowStart = false } else { buffer.append(UInt8(ascii: "\t")) }
    }

    /// A text value, escaped for COPY (backslash, tab, newline, carriage return); nil is NULL.
    public mutating func append(_ value: String?) {
        separator()
        guard let value else { buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")]); return }
        appendEscaped(value)
    }

    /// A text value, escaped for COPY.
    public mutating func append(_ value: String) {
        separator()
        appendEscaped(value)
    }

    mutating func appendEscaped(_ value: String) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
            case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
            default: buffer.append(byte)
            }
        }
    }

    /// An integer, written in decimal without allocating.
    public mutating func append(_ value: Int) {
        separator()
        if value == 0 { buffer.append(UInt8(ascii: "0")); return }
        var magnitude = value.magnitude
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        let start = buffer.count
        while magnitude > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        buffer[start...].reverse()
    }

    /// A float8, in the shortest text that reads back bit for bit.
    public mutating func append(_ value: Double) {
        separator()
        buffer.append(contentsOf: value.postgresText.utf8)
    }

    /// A float8 or NULL.
    public mutating func append(_ value: Double?) {
        if let value { append(value) } else { append(nil as String?) }
    }

    /// A boolean.
    public mutating func append(_ value: Bool) {
        separator()
        buffer.append(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
    }

    /// Any encodable value (bytes become `bytea` hex).
    public mutating func append(_ value: some PostgresEncodable) {
        switch value.postgresValue {
        case .null: append(nil as String?)
        case .text(let text): append(text as String?)
        case .binary(let bytes):
            separator()
            let hex = Array("0123456789abcdef".utf8)
            buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
            for b in bytes { buffer.append(hex[Int(b >> 4)]); buffer.append(hex[Int(b & 15)]) }
        }
    }

    /// Ends the current row; sends the buffer when it has grown past ``flushThreshold``.
    public mutating func endRow() throws {
        buffer.append(UInt8(ascii: "\n"))
        atRowStart = true
        rows += 1
        if buffer.count >= flushThreshold { try flush() }
    }

    mutating func flush() throws {
        try sendCopyData(&buffer, on: connection)
    }
}

extension PostgresConnection {
    /// Runs `COPY table (columns) FROM STDIN` (`sql`), letting `body` write the rows; returns the
    /// number of rows the server took.
    ///
    /// If `body` throws, the COPY is aborted (nothing is inserted) and the error is rethrown. Inside a
    /// ``transaction(_:)`` the rows become visible only at COMMIT.
    @discardableResult
    public func copyFrom(_ sql: String, _ body: (inout PostgresCopyWriter) throws -> Void) throws -> Int {
        try copyIn(sql) { connection in
            var writer = PostgresCopyWriter(connection: connection)
            try body(&writer)
            if writer.atRowStart == false { try writer.endRow() }
            try writer.flush()
        }
    }

    /// Starts the COPY `sql`, lets `send` stream its data, ends it (aborting it if `send` throws)
    /// and drains every result; returns the rows the server took.
    func copyIn(_ sql: String, _ send: (OpaquePointer) throws -> Void) throws -> Int {
        try lock.locked {
            try ensureConnected()
            let start = PQexec(connection, sql)
            _ = try check(start, statement: sql, code: .copy, expect: [PGRES_COPY_IN])
            var bodyError: (any Error)?
            do {
                try send(connection!)
            } catch {
                bodyError = error
            }
            let endStatus = bodyError == nil
                ? PQputCopyEnd(connection, nil)
                : PQputCopyEnd(connection, "COPY aborted by the client")
            // Drain every result so the connection is ready for the next statement.
            var rows: PostgresRows?
            var failure: (any Error)?
            while let result = PQgetResult(connection) {
                do {
                    let checked = try check(result, statement: sql, code: .copy)
                    rows = checked
                } catch {
                    if failure == nil { failure = error }
                }
            }
            if let bodyError { throw bodyError }
            if let failure { throw failure }
            if endStatus != 1 || rows == nil {
                _ = try check(nil, statement: sql, code: .copy)
            }
            return rows?.affectedRows ?? 0
        }
    }
}

/// Sends the bytes buffered by a COPY writer (text or binary) and empties the buffer, keeping its
/// capacity; nothing is sent for an empty buffer.
func sendCopyData(_ buffer: inout [UInt8], on connection: OpaquePointer) throws {
    guard !buffer.isEmpty else { return }
    let status = buffer.withUnsafeBufferPointer { raw in
        raw.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
    }
    guard status == 1 else {
        throw PostgresError(.copy, "sending COPY data failed: \(PostgresConnection.trimmed(PQerrorMessage(connection)))")
    }
    buffer.removeAll(keepingCapacity: true)
}
