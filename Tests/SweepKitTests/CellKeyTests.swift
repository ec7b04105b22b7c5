import Foundation
import SweepKit
import Testing

@Suite struct CellKeyTests {
    @Test func hexAndBytesRoundTrip() throws {
        let bytes = (0..<32).map { UInt8($0 * 7 + 1) }
        let key = try #require(CellKey(bytes: bytes))
        #expect(key.bytes == bytes)
        #expect(key.hex.count == 64)
        #expect(CellKey(hex: key.hex) == key)
        #expect(CellKey(hex: key.hex.uppercased()) == key)
    }

    @Test func hexIsLowercaseInDigestOrder() throws {
        let key = try #require(CellKey(bytes: (0..<32).map { UInt8($0 * 8 + 7) }))
        #expect(key.hex == (0..<32).map { String(format: "%02x", $0 * 8 + 7) }.joined())
        #expect(key.short == String(key.hex.prefix(12)))
    }

    @Test func malformedHexIsRejected() {
        #expect(CellKey(hex: "abc") == nil)
        #expect(CellKey(hex: String(repeating: "g", count: 64)) == nil)
        #expect(CellKey(bytes: [UInt8](repeating: 0, count: 31)) == nil)
    }

    @Test func orderFollowsBytes() throws {
        let a = try #require(CellKey(hex: "00" + String(repeating: "f", count: 62)))
        let b = try #require(CellKey(hex: "01" + String(repeating: "0", count: 62)))
        #expect(a < b)
    }
}
