import Foundation

/// JSON documents whose every stored property is a key — its name in snake_case (`sweepID` →
/// `sweep_id`, `etaSeconds` → `eta_seconds`) — and whose nil values are written as `null`
/// (Swift's synthesized `Encodable` leaves nil keys out, so a client could not tell "unknown"
/// from "not in this version").
public protocol ExplicitNullEncodable: Encodable {}

extension ExplicitNullEncodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, let value = child.value as? any Encodable else { continue }
            // An Optional encodes itself: `null` when nil.
            try container.encode(value, forKey: JSONKey(stringValue: Self.snakeCase(label)))
        }
    }

    /// `doneThisRun` → `done_this_run`; a run of capitals is one word (`sweepID` → `sweep_id`).
    static func snakeCase(_ name: String) -> String {
        var out = ""
        var previousLower = false
        for character in name {
            if character.isUppercase {
                if previousLower { out.append("_") }
                out.append(Character(character.lowercased()))
                previousLower = false
            } else {
                out.append(character)
                previousLower = character.isLowercase || character.isNumber
            }
        }
        return out
    }
}

/// JSON documents as text.
public enum JSONText {
    /// `value` as JSON with sorted keys (one line; `pretty` for people).
    public static func of(_ value: some Encodable, pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // The documents hold strings, numbers, booleans and arrays of them: encoding cannot fail.
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
    }
}

/// A key of a JSON object, by its text.
struct JSONKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
