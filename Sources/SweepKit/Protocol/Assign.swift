import NoisyCore
import Foundation

extension Wire {
    /// One assignment of an assign message (``AssignBatch``): run attempt `attempt` of cell
    /// `cell` under lease `lease`.
    ///
    /// Layout: cell key (32 bytes), attempt u32 (≥ 1), lease id u64, lease ms u32, required
    /// artifacts (count ≤ 16 × 32 bytes), spec (bytes ≤ 64 KiB, UTF-8 JSON).
    public struct Assign: Hashable, Sendable, WireListElement {
        /// The fewest bytes an encoded assignment takes (no artifacts, an empty spec).
        static let minimumBytes = 32 + 4 + 8 + 4 + 4 + 4
        public var cell: CellKey
        /// 1 for the first attempt.
        public var attempt: UInt32
        /// Echoed in the result or failure, so a late message of a superseded lease is recognised.
        public var lease: LeaseID
        /// How long the lease runs from when the coordinator sent it, in ms; the coordinator
        /// extends it while the worker stays alive (any message of the worker counts).
        public var leaseMilliseconds: UInt32
        /// Artifacts the cell reads (the pre-trained model of an evaluate cell); the worker
        /// sends an ``ArtifactRequest`` for each one it does not hold.
        public var requiredArtifacts: [ArtifactDigest]
        /// The cell's spec as the coordinator hashed it: canonical JSON of ``NoisyCore/CellSpec``.
        public var specJSON: [UInt8]

        public init(cell: CellKey, attempt: UInt32, lease: LeaseID, leaseMilliseconds: UInt32,
                    requiredArtifacts: [ArtifactDigest] = [], specJSON: [UInt8]) {
            self.cell = cell
            self.attempt = attempt
            self.lease = lease
            self.leaseMilliseconds = leaseMilliseconds
            self.requiredArtifacts = requiredArtifacts
            self.specJSON = specJSON
        }

        /// An assignment of `spec`, encoded as JSON with sorted keys. Prefer passing the exact
        /// canonical bytes the cell key was hashed from when the caller has them.
        public init(cell: CellKey, attempt: UInt32, lease: LeaseID, leaseMilliseconds: UInt32,
                    requiredArtifacts: [ArtifactDigest] = [], spec: CellSpec) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            self.init(cell: cell, attempt: attempt, lease: lease, leaseMilliseconds: leaseMilliseconds,
                      requiredArtifacts: requiredArtifacts, specJSON: Array(try encoder.encode(spec)))
        }

        /// The spec decoded from ``specJSON``; throws `invalidValue` naming the JSON fault.
        public func spec() throws(ProtocolError) -> CellSpec {
            if let noop = NoopSpecTemplate.instant.decode(specJSON) { return .noop(noop) }
            do {
                return try JSONDecoder().decode(CellSpec.self, from: Data(specJSON))
            } catch {
                throw .invalidValue(field: "assign.spec", reason: "not a cell spec: \(error)")
            }
        }

        /// The bytes ``encode(to:)`` appends (what a batch of assignments is split by).
        public var encodedBytes: Int { Self.minimumBytes + 32 * requiredArtifacts.count + specJSON.count }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            writer.write(cell)
            try writer.write(attempt: attempt, field: "assign.attempt")
            writer.write(lease)
            writer.write(leaseMilliseconds)
            try writer.write(count: requiredArtifacts.count, field: "assign.requiredArtifacts", limit: WireFormat.maxRequiredArtifacts)
            for artifact in requiredArtifacts { writer.write(artifact) }
            guard String(validating: specJSON, as: UTF8.self) != nil else { throw .invalidUTF8(field: "assign.spec") }
            try writer.write(bytes: specJSON, field: "assign.spec", limit: WireFormat.maxSpecBytes)
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            cell = try reader.readCellKey("assign.cell")
            attempt = try reader.readAttempt("assign.attempt")
            lease = try reader.readUInt64("assign.lease")
            leaseMilliseconds = try reader.readUInt32("assign.leaseMilliseconds")
            let count = try reader.readCount("assign.requiredArtifacts", limit: WireFormat.maxRequiredArtifacts, minimumElementBytes: 32)
            requiredArtifacts = []
            requiredArtifacts.reserveCapacity(count)
            for _ in 0..<count { requiredArtifacts.append(try reader.readDigest("assign.requiredArtifacts[]")) }
            specJSON = try reader.readBytes("assign.spec", limit: WireFormat.maxSpecBytes)
            guard String(validating: specJSON, as: UTF8.self) != nil else { throw .invalidUTF8(field: "assign.spec") }
        }
    }
}
