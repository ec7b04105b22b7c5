extension Wire {
    /// Coordinator → worker, the answer to ``Ready``: the coordinator's session and the
    /// heartbeat settings both sides use.
    ///
    /// Layout: session u64, heartbeat interval ms u32 (≥ 1), liveness u32 (1…1000),
    /// max frame bytes u32.
    public struct Welcome: WireBody {
        public static let kind = MessageKind.welcome
        /// Random per coordinator run: a new session means the coordinator restarted, so the
        /// worker re-sends every unacknowledged result.
        public var session: UInt64
        /// Send a heartbeat when nothing else was sent for this long.
        public var heartbeatIntervalMilliseconds: UInt32
        /// Intervals of silence after which the peer is dead (Paranoid Pirate).
        public var liveness: UInt32
        /// The coordinator's `ZMQ_MAXMSGSIZE`.
        public var maxFrameBytes: UInt32

        public init(session: UInt64, heartbeatIntervalMilliseconds: UInt32, liveness: UInt32,
                    maxFrameBytes: UInt32 = UInt32(WireFormat.maxFrameBytes)) {
            self.session = session
            self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
            self.liveness = liveness
            self.maxFrameBytes = maxFrameBytes
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            try Self.check(heartbeatIntervalMilliseconds, liveness)
            writer.write(session)
            writer.write(heartbeatIntervalMilliseconds)
            writer.write(liveness)
            writer.write(maxFrameBytes)
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            session = try reader.readUInt64("welcome.session")
            heartbeatIntervalMilliseconds = try reader.readUInt32("welcome.heartbeatInterval")
            liveness = try reader.readUInt32("welcome.liveness")
            maxFrameBytes = try reader.readUInt32("welcome.maxFrameBytes")
            try Self.check(heartbeatIntervalMilliseconds, liveness)
        }

        private static func check(_ interval: UInt32, _ liveness: UInt32) throws(ProtocolError) {
            guard interval >= 1 else { throw .invalidValue(field: "welcome.heartbeatInterval", reason: "must be ≥ 1 ms") }
            guard (1...WireFormat.maxLiveness).contains(liveness) else {
                throw .invalidValue(field: "welcome.liveness", reason: "\(liveness) is outside 1…\(WireFormat.maxLiveness)")
            }
        }
    }
}
