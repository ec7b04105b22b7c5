public import Foundation

extension Data: PostgresEncodable, PostgresDecodable {
    /// Bound in binary format, so a `bytea` parameter is sent as is.
    public var postgresValue: PostgresValue { .binary([UInt8](self)) }
    public static func decode(postgresText text: String) -> Data? {
        PostgresBytes.decode(postgresText: text).map { Data($0.bytes) }
    }
}
