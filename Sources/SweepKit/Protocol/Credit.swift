extension Wire {
    /// Worker → coordinator: the worker can take `slots` more assignments.
    ///
    /// Credits add up: the coordinator keeps a per-worker balance, adds each credit and
    /// subtracts one per ``Assign``; it never assigns with a zero balance. A worker sends its
    /// free slots after ``Welcome`` and one credit per finished attempt (result or failure).
    /// A new ``Ready`` resets the balance to zero. Layout: slots u32 (1…1024).
    public struct Credit: WireBody {
        public static let kind = MessageKind.credit
        public var slots: UInt32

        public init(slots: UInt32) { self.slots = slots }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            try writer.write(slots: slots, field: "credit.slots")
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            slots = try reader.readSlots("credit.slots")
        }
    }
}
