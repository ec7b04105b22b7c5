extension Wire {
    /// Coordinator → worker: the results of these cells are committed; the worker drops them.
    /// Sent only after the database commit. Layout: count u32 (1…4096) × cell key (32 bytes).
    public struct Ack: WireBody {
        public static let kind = MessageKind.ack
        public var cells: [CellKey]

        public init(cells: [CellKey]) { self.cells = cells }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            guard !cells.isEmpty else { throw .invalidValue(field: "ack.cells", reason: "an ack names at least one cell") }
            try writer.write(count: cells.count, field: "ack.cells", limit: WireFormat.maxAckKeys)
            for cell in cells { writer.write(cell) }
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            let count = try reader.readCount("ack.cells", limit: WireFormat.maxAckKeys, minimumElementBytes: 32)
            guard count > 0 else { throw .invalidValue(field: "ack.cells", reason: "an ack names at least one cell") }
            cells = []
            cells.reserveCapacity(count)
            for _ in 0..<count { cells.append(try reader.readCellKey("ack.cells[]")) }
        }
    }
}
