public import NoisyCore

extension Wire {
    /// Worker → coordinator: the result of one attempt. The worker keeps it and sends it again
    /// (after a reconnect or a new coordinator session) until an ``Ack`` names its cell.
    ///
    /// Layout: cell key (32 bytes), lease id u64, attempt u32 (≥ 1), worker id (bytes ≤ 255),
    /// result (``NoisyCore/CellResult`` in its binary form, see `CellResult+Binary.swift`).
    public struct ResultReport: WireBody {
        public static let kind = MessageKind.result
        public var cell: CellKey
        public var lease: LeaseID
        public var attempt: UInt32
        public var worker: WorkerID
        public var result: CellResult

        public init(cell: CellKey, lease: LeaseID, attempt: UInt32, worker: WorkerID, result: CellResult) {
            self.cell = cell
            self.lease = lease
            self.attempt = attempt
            self.worker = worker
            self.result = result
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            writer.write(cell)
            writer.write(lease)
            try writer.write(attempt: attempt, field: "result.attempt")
            try writer.write(worker: worker, field: "result.worker")
            try result.encode(to: &writer)
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            cell = try reader.readCellKey("result.cell")
            lease = try reader.readUInt64("result.lease")
            attempt = try reader.readAttempt("result.attempt")
            worker = try reader.readWorkerID("result.worker")
            result = try CellResult(from: &reader)
        }
    }
}
