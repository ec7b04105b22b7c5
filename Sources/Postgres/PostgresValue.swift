/// A parameter value in the form libpq sends it: text, binary, or NULL.
public enum PostgresValue: Sendable, Equatable {
    case null
    /// Text format: the server parses it with the column type's input function.
    case text(String)
    /// Binary format (used for `bytea`, which is sent raw rather than hex-escaped).
    case binary([UInt8])
}

/// A Swift value that can be bound as a query parameter.
///
/// Parameters travel separately from the SQL text (`PQexecParams`), so no value is ever spliced into a
/// statement. JSON is bound as a `String` and cast in SQL (`$1::jsonb`).
public protocol PostgresEncodable {
    var postgresValue: PostgresValue { get }
}

/// A Swift type a column can be decoded into, from libpq's text format.
public protocol PostgresDecodable {
    /// The value decoded from the server's text representation, or nil when the text is not one.
    static func decode(postgresText text: String) -> Self?
}

extension String: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(self) }
    public static func decode(postgresText text: String) -> String? { text }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(String(self)) }
    public static func decode(postgresText text: String) -> Int? { Int(text) }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(String(self)) }
    public static func decode(postgresText text: String) -> Int64? { Int64(text) }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(String(self)) }
    public static func decode(postgresText text: String) -> Int32? { Int32(text) }
}

extension Double: PostgresEncodable, PostgresDecodable {
    /// Shortest text that round-trips exactly; infinities and NaN in PostgreSQL's spelling.
    public var postgresValue: PostgresValue { .text(postgresText) }

    /// The value as PostgreSQL's `float8in` reads it back bit for bit.
    public var postgresText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return description
    }

    public static func decode(postgresText text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }
}

extension Float: PostgresEncodable {
    public var postgresValue: PostgresValue { Double(self).postgresValue }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(self ? "t" : "f") }
    public static func decode(postgresText text: String) -> Bool? {
        switch text {
        case "t", "true": return true
        case "f", "false": return false
        default: return nil
        }
    }
}

/// Raw bytes, for `bytea` columns: bound in binary format, decoded from the `\x…` hex text form.
public struct PostgresBytes: PostgresEncodable, PostgresDecodable, Sendable, Equatable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var postgresValue: PostgresValue { .binary(bytes) }

    public static func decode(postgresText text: String) -> PostgresBytes? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0
        else { return nil }
        var out = [UInt8]()
        out.reserveCapacity((utf8.count - 2) / 2)
        var i = 2
        while i < utf8.count {
            guard let hi = hexValue(utf8[i]), let lo = hexValue(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return PostgresBytes(out)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresValue: PostgresValue {
        switch self {
        case .none: return .null
        case .some(let value): return value.postgresValue
        }
    }
}
