extension Wire {
    /// Coordinator → worker: "I do not know you" — a message came from a routing id that sent
    /// no ``Ready`` in this session (typically after a coordinator restart, which ZeroMQ's
    /// reconnection hides from the worker). The worker sends ``Ready`` again, then its credit and
    /// every unacknowledged result. Layout: session u64 (the coordinator's current session).
    public struct Reregister: WireBody {
        public static let kind = MessageKind.reregister
        public var session: UInt64

        public init(session: UInt64) { self.session = session }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) { writer.write(session) }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            session = try reader.readUInt64("reregister.session")
        }
    }
}
