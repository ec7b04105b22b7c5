import Foundation
import SweepKit
import Testing

/// `Wire.Assign.spec()`: instant no-op specs are read from their canonical template, everything
/// else by `JSONDecoder`; on every input both must agree.
@Suite struct AssignSpecTests {
    func assign(_ json: [UInt8]) -> Wire.Assign {
        Wire.Assign(cell: CellKey(w0: 1, w1: 2, w2: 3, w3: 4), attempt: 1, lease: 9, leaseMilliseconds: 1_000, specJSON: json)
    }

    /// What the full decoder makes of the bytes (nil when it refuses them).
    func decoded(_ json: [UInt8]) -> CellSpec? { try? JSONDecoder().decode(CellSpec.self, from: Data(json)) }

    @Test func canonicalNoopSpecsDecodeAsTheDecoderDoes() throws {
        let specs: [CellSpec] = [0, 7, 42, -3, 1_000_000, Int.max, Int.min].map { .noop(NoopSpec(index: $0)) }
            + [.noop(NoopSpec(index: 5, sleepMilliseconds: 20)), .noop(NoopSpec(index: 6, fault: .crash)),
               .noop(NoopSpec(index: 8, sleepMilliseconds: 3, fault: .error))]
        for spec in specs {
            let json = try CanonicalJSON.encode(spec)
            #expect(try assign(json).spec() == spec)
            #expect(decoded(json) == spec)
        }
    }

    @Test func nearMissesGoToTheDecoder() throws {
        let canonical = String(decoding: try CanonicalJSON.encode(CellSpec.noop(NoopSpec(index: 12))), as: UTF8.self)
        let variants = [
            canonical.replacingOccurrences(of: "12", with: "012"),
            canonical.replacingOccurrences(of: "12", with: "-0"),
            canonical.replacingOccurrences(of: "12", with: "1.5"),
            canonical.replacingOccurrences(of: "12", with: "99999999999999999999"),
            canonical.replacingOccurrences(of: "12", with: ""),
            canonical.replacingOccurrences(of: "12", with: "1 2"),
            canonical + " ",
            String(canonical.dropLast()),
        ]
        for text in variants {
            let json = Array(text.utf8)
            let fast = try? assign(json).spec()
            #expect(fast == decoded(json), "\(text)")
        }
    }
}
