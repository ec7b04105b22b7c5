extension Wire {
    /// Either way: no new work. From the coordinator: take no more assignments, finish the
    /// running ones within the grace period (else hand them back as `cancelled`), wait for the
    /// acks. From a worker (on SIGTERM): it sends no more credit and will leave when done.
    /// Layout: grace ms u32.
    public struct Drain: WireBody {
        public static let kind = MessageKind.drain
        public var graceMilliseconds: UInt32

        public init(graceMilliseconds: UInt32) { self.graceMilliseconds = graceMilliseconds }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) { writer.write(graceMilliseconds) }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            graceMilliseconds = try reader.readUInt32("drain.graceMilliseconds")
        }
    }
}
