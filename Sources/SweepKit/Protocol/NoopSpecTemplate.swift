/// Reads the canonical JSON of an instant no-op cell (0 ms, no fault) without a JSON decoder.
///
/// Such a spec's canonical bytes are a fixed prefix, the cell's index in decimal, and a fixed
/// suffix; both are taken from ``CanonicalJSON`` itself, so they follow the encoding if it changes.
/// A worker decodes one spec per ASSIGN, and for the coordinator benchmark's no-op cells
/// `JSONDecoder` was most of the worker's time. Any other bytes (another cell kind, a sleep, a
/// fault, a leading zero or sign the canonical form would not write) give nil: the caller decodes
/// them in full. So `decode(bytes)` is non-nil only for bytes equal to
/// `CanonicalJSON.encode(CellSpec.noop(result))`.
struct NoopSpecTemplate: Sendable {
    let prefix: [UInt8]
    let suffix: [UInt8]

    /// The template of instant no-op cells.
    static let instant = NoopSpecTemplate()

    private init() {
        // A marker index whose digits appear nowhere else in the spec's JSON.
        let marker = 987_654_321
        let json = (try? CanonicalJSON.encode(CellSpec.noop(NoopSpec(index: marker)))) ?? []
        let digits = Array(String(marker).utf8)
        guard let start = json.indices.first(where: { json[$0...].starts(with: digits) }) else {
            (prefix, suffix) = ([], [])
            return
        }
        prefix = Array(json[..<start])
        suffix = Array(json[(start + digits.count)...])
    }

    /// The no-op spec these bytes are the canonical JSON of, or nil.
    func decode(_ bytes: [UInt8]) -> NoopSpec? {
        guard !prefix.isEmpty, bytes.count > prefix.count + suffix.count,
              bytes.starts(with: prefix), bytes.suffix(suffix.count).elementsEqual(suffix) else { return nil }
        let digits = bytes[prefix.count..<(bytes.count - suffix.count)]
        // Canonical integers: an optional minus, no leading zero (and no "-0").
        let magnitude = digits.first == UInt8(ascii: "-") ? digits.dropFirst() : digits[...]
        guard let first = magnitude.first, magnitude.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              first != 0x30 || (magnitude.count == 1 && magnitude.count == digits.count),
              let index = Int(String(decoding: digits, as: UTF8.self)) else { return nil }
        return NoopSpec(index: index)
    }
}
