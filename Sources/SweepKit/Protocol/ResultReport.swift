public import NoisyCore

extension Wire {
    /// One result of a result message (``ResultBatch``): the result of one attempt. The worker
    /// keeps it and sends it again (after a reconnect or a new coordinator session) until an
    /// ``Ack`` names its cell.
    ///
    /// Layout: cell key (32 bytes), lease id u64, attempt u32 (≥ 1), result
    /// (``NoisyCore/CellResult`` in its binary form, see `CellResult+Binary.swift`). The sender is
    /// the routing id the message arrived from (version 1 repeated it in every result).
    public struct ResultReport: Hashable, Sendable, WireListElement {
        /// The fewest bytes an encoded result takes (accuracy, presence, no timings).
        static let minimumBytes = 32 + 8 + 4 + 8 + 2 + 4
        public var cell: CellKey
        public var lease: LeaseID
        public var attempt: UInt32
        public var result: CellResult

        public init(cell: CellKey, lease: LeaseID, attempt: UInt32, result: CellResult) {
            self.cell = cell
            self.lease = lease
            self.attempt = attempt
            self.result = result
        }

        /// The result's bytes as an element of a result message: what a worker keeps until the
        /// ACK and puts into frames with ``ResultBatch/frames(of:)``, encoded once.
        public func encodedElement() throws(ProtocolError) -> [UInt8] {
            var writer = BinaryWriter(capacity: 96)
            try encode(to: &writer)
            return writer.bytes
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            writer.write(cell)
            writer.write(lease)
            try writer.write(attempt: attempt, field: "result.attempt")
            try result.encode(to: &writer)
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            cell = try reader.readCellKey("result.cell")
            lease = try reader.readUInt64("result.lease")
            attempt = try reader.readAttempt("result.attempt")
            result = try CellResult(from: &reader)
        }
    }
}
