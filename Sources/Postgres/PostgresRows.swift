internal import CLibPQ

/// The rows a query returned, owning libpq's result until the last row is dropped.
///
/// Values are read lazily from the libpq result, in text format; nothing is copied until a column
/// is decoded.
public final class PostgresRows: RandomAccessCollection {
    let result: OpaquePointer
    /// Column names, in order.
    public let columns: [String]
    private let columnIndex: [String: Int]
    /// Whether each column has a numeric type (int2/4/8, oid, float4/8, numeric): its text is a number.
    public let columnIsNumeric: [Bool]
    /// The number of rows affected, for INSERT/UPDATE/DELETE/COPY (`PQcmdTuples`), else 0.
    public let affectedRows: Int

    init(taking result: OpaquePointer) {
        self.result = result
        let n = Int(PQnfields(result))
        var names = [String]()
        names.reserveCapacity(n)
        // A COPY result has columns but no names (PQfname returns NULL).
        for i in 0..<n { names.append(PQfname(result, Int32(i)).map { String(cString: $0) } ?? "") }
        columns = names
        var index = [String: Int]()
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        columnIndex = index
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
        columnIsNumeric = (0..<n).map { [20, 21, 23, 26, 700, 701, 1700].contains(PQftype(result, Int32($0))) }
        count = Int(PQntuples(result))
    }

    deinit { PQclear(result) }

    public let count: Int
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }

    /// The column's position, or a `.decode` error naming it and the columns there are.
    func column(named name: String) throws -> Int {
        guard let i = columnIndex[name] else {
            throw PostgresError(.decode, "no column \"\(name)\" in the result; columns: \(columns.joined(separator: ", "))")
        }
        return i
    }
}

/// One row of a ``PostgresRows``.
public struct PostgresRow {
    let rows: PostgresRows
    /// The row's position in its result.
    public let index: Int

    /// Whether the column holds SQL NULL.
    public func isNull(_ column: Int) -> Bool { PQgetisnull(rows.result, Int32(index), Int32(column)) != 0 }

    /// The column's raw text, or nil for NULL.
    public func text(_ column: Int) -> String? {
        guard !isNull(column) else { return nil }
        return String(cString: PQgetvalue(rows.result, Int32(index), Int32(column)))
    }

    /// The column decoded as `T`; a `.decode` error for NULL or text `T` cannot read.
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T {
        guard let text = text(column) else {
            throw PostgresError(.decode, "column \"\(rows.columns[column])\" of row \(index) is NULL, expected \(T.self)")
        }
        guard let value = T.decode(postgresText: text) else {
            throw PostgresError(.decode, "column \"\(rows.columns[column])\" of row \(index) is not a valid \(T.self) (\(text.count) characters of text)")
        }
        return value
    }

    /// The column decoded as `T`, or nil for NULL.
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T?.Type) throws -> T? {
        isNull(column) ? nil : try decode(column, as: T.self)
    }

    /// The named column decoded as `T`.
    public func decode<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try decode(rows.column(named: name), as: T.self)
    }

    /// The named column decoded as `T`, or nil for NULL.
    public func decode<T: PostgresDecodable>(_ name: String, as type: T?.Type) throws -> T? {
        try decode(rows.column(named: name), as: T?.self)
    }

    /// The row's values as text, NULL as nil, in column order.
    public var texts: [String?] { (0..<rows.columns.count).map { text($0) } }
}
