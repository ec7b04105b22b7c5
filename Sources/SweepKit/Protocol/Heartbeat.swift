extension Wire {
    /// Both ways: "still here", sent when nothing else was sent for a heartbeat interval.
    /// Any message counts as a heartbeat; this one only fills silence. Layout: empty body.
    public struct Heartbeat: WireBody {
        public static let kind = MessageKind.heartbeat
        public init() {}
        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {}
        public init(from reader: inout BinaryReader) throws(ProtocolError) {}
    }
}
