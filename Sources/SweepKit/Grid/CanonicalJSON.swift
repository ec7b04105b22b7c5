/// Canonical JSON: one byte sequence for one value, on every machine.
///
/// Object keys sorted by their UTF-8 bytes, no whitespace, strings escaped minimally (`"`, `\`,
/// and control characters below U+0020 as `\u00XX`; everything else as raw UTF-8), integers in
/// decimal, doubles in Swift's shortest round-trip form (`description`, implemented in the
/// standard library itself, so it does not vary with the platform's Foundation), `nil` optionals
/// omitted. Non-finite doubles are refused: no spec holds one.
///
/// Why not `JSONEncoder` with `.sortedKeys`: its number formatting belongs to Foundation, which
/// differs between Apple platforms and swift-corelibs-foundation and has changed between
/// releases; a cell key must not.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    /// - Throws: `EncodingError.invalidValue` for a NaN or infinite double.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = TreeEncoder()
        try value.encode(to: encoder)
        var out: [UInt8] = []
        out.reserveCapacity(512)
        try encoder.storage.root.write(to: &out)
        return out
    }
}

/// A JSON value under construction. Containers are reference boxes so nested encoders can fill
/// them after they have been attached to their parent.
private final class Box {
    enum Value {
        case null, bool(Bool), integer(String), double(Double), string(String)
        case array, object, empty
    }
    var value: Value = .empty
    var elements: [Box] = []
    var members: [String: Box] = [:]

    init() {}
    init(_ value: Value) { self.value = value }

    func write(to out: inout [UInt8]) throws {
        switch value {
        case .empty, .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case .integer(let text): out.append(contentsOf: Array(text.utf8))
        case .double(let d):
            guard d.isFinite else {
                throw EncodingError.invalidValue(d, .init(codingPath: [], debugDescription: "canonical JSON refuses non-finite numbers"))
            }
            // -0.0 and 0.0 compare equal, so they must encode equally.
            out.append(contentsOf: Array((d == 0 ? 0.0 : d).description.utf8))
        case .string(let s): Self.writeString(s, to: &out)
        case .array:
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object:
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                try members[key]!.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let hex = Array("0123456789abcdef".utf8)
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

private final class TreeStorage { let root = Box() }

private struct TreeEncoder: Encoder {
    let storage: TreeStorage
    let box: Box
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init() {
        storage = TreeStorage()
        box = storage.root
    }

    init(box: Box, codingPath: [any CodingKey]) {
        storage = TreeStorage()
        self.box = box
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = box.value {} else { box.value = .object }
        return KeyedEncodingContainer(KeyedContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = box.value {} else { box.value = .array }
        return UnkeyedContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(box: box, codingPath: codingPath)
    }
}

/// Turns a leaf value into a box, or encodes a nested `Encodable` into a new box.
private func makeBox<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> Box {
    switch value {
    case let v as Bool: return Box(.bool(v))
    case let v as String: return Box(.string(v))
    case let v as Double: return Box(.double(v))
    case let v as Float: return Box(.double(Double(v)))
    case let v as Int: return Box(.integer(String(v)))
    case let v as Int8: return Box(.integer(String(v)))
    case let v as Int16: return Box(.integer(String(v)))
    case let v as Int32: return Box(.integer(String(v)))
    case let v as Int64: return Box(.integer(String(v)))
    case let v as UInt: return Box(.integer(String(v)))
    case let v as UInt8: return Box(.integer(String(v)))
    case let v as UInt16: return Box(.integer(String(v)))
    case let v as UInt32: return Box(.integer(String(v)))
    case let v as UInt64: return Box(.integer(String(v)))
    default:
        let box = Box()
        try value.encode(to: TreeEncoder(box: box, codingPath: codingPath))
        return box
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: Box
    var codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { box.members[key.stringValue] = Box(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        box.members[key.stringValue] = try makeBox(value, codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = Box()
        child.value = .object
        box.members[key.stringValue] = child
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = Box()
        child.value = .array
        box.members[key.stringValue] = child
        return UnkeyedContainer(box: child, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = Box()
        box.members[key.stringValue] = child
        return TreeEncoder(box: child, codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { String(intValue!) }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let box: Box
    var codingPath: [any CodingKey]
    var count: Int { box.elements.count }

    mutating func encodeNil() throws { box.elements.append(Box(.null)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        box.elements.append(try makeBox(value, codingPath: codingPath + [IndexKey(count)]))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = Box()
        child.value = .object
        box.elements.append(child)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: codingPath + [IndexKey(count - 1)]))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = Box()
        child.value = .array
        box.elements.append(child)
        return UnkeyedContainer(box: child, codingPath: codingPath + [IndexKey(count - 1)])
    }
    mutating func superEncoder() -> any Encoder {
        let child = Box()
        box.elements.append(child)
        return TreeEncoder(box: child, codingPath: codingPath + [IndexKey(count - 1)])
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let box: Box
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let made = try makeBox(value, codingPath: codingPath)
        box.value = made.value
        box.elements = made.elements
        box.members = made.members
    }
}
