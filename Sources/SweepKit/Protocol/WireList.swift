/// An element of a version-2 list message (ASSIGN's ``Wire/Assign``s, RESULT's
/// ``Wire/ResultReport``s): written one after another after the list's count.
protocol WireListElement {
    /// The fewest bytes an element can take: what a decoder checks a count against.
    static var minimumBytes: Int { get }
    func encode(to writer: inout BinaryWriter) throws(ProtocolError)
    init(from reader: inout BinaryReader) throws(ProtocolError)
}

extension BinaryWriter {
    /// A list of at least one element: its u32 count (at most `limit`), then each element.
    /// Throws for an empty list ("names at least one `noun`") or one above `limit`.
    mutating func write<Element: WireListElement>(nonEmpty elements: [Element], field: String, limit: Int,
                                                  noun: String) throws(ProtocolError) {
        guard !elements.isEmpty else { throw .invalidValue(field: field, reason: "names at least one \(noun)") }
        try write(count: elements.count, field: field, limit: limit)
        for element in elements { try element.encode(to: &self) }
    }
}

extension BinaryReader {
    /// A list written by ``BinaryWriter/write(nonEmpty:field:limit:noun:)``: refuses a count of 0,
    /// above `limit`, or more than the bytes left can hold.
    mutating func readNonEmpty<Element: WireListElement>(_ field: String, limit: Int,
                                                         noun: String) throws(ProtocolError) -> [Element] {
        let count = try readCount(field, limit: limit, minimumElementBytes: Element.minimumBytes)
        guard count > 0 else { throw .invalidValue(field: field, reason: "names at least one \(noun)") }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try Element(from: &self)) }
        return elements
    }
}
