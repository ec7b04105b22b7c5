extension Wire {
    /// From the coordinator: the sweep is over (or stopping): hand back running attempts and
    /// exit. From a worker: it is leaving now; re-queue its leases without waiting for expiry.
    /// Layout: reason (text ≤ 4 KiB).
    public struct Shutdown: WireBody {
        public static let kind = MessageKind.shutdown
        public var reason: String

        public init(reason: String) { self.reason = reason }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            try writer.write(text: reason, field: "shutdown.reason", limit: WireFormat.maxTextBytes)
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            reason = try reader.readText("shutdown.reason", limit: WireFormat.maxTextBytes)
        }
    }
}
