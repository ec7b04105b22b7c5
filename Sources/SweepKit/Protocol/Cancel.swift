extension Wire {
    /// Coordinator → worker: stop the attempt of `cell` running under `lease` (its lease was
    /// superseded, or the sweep is stopping). The worker answers with a ``FailureReport`` of
    /// reason `cancelled`, or with nothing if that attempt is not running.
    /// Layout: cell key (32 bytes), lease id u64.
    public struct Cancel: WireBody {
        public static let kind = MessageKind.cancel
        public var cell: CellKey
        public var lease: LeaseID

        public init(cell: CellKey, lease: LeaseID) {
            self.cell = cell
            self.lease = lease
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            writer.write(cell)
            writer.write(lease)
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            cell = try reader.readCellKey("cancel.cell")
            lease = try reader.readUInt64("cancel.lease")
        }
    }
}
