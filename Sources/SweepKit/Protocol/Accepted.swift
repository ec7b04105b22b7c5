extension Wire {
    /// Worker → coordinator: it has these assignments (sent as soon as ASSIGNs arrive, before the
    /// cells run). Losing a worker charges an attempt only to leases it accepted, so a peer that
    /// takes cells and goes silent cannot use up their attempts (docs/reliability.md).
    /// Layout: count u32 (1…1024) × lease id u64.
    public struct Accepted: WireBody {
        public static let kind = MessageKind.accepted
        public var leases: [LeaseID]

        public init(leases: [LeaseID]) { self.leases = leases }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            guard !leases.isEmpty else { throw .invalidValue(field: "accepted.leases", reason: "names at least one lease") }
            try writer.write(count: leases.count, field: "accepted.leases", limit: Int(WireFormat.maxSlots))
            for lease in leases { writer.write(lease) }
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            let count = try reader.readCount("accepted.leases", limit: Int(WireFormat.maxSlots), minimumElementBytes: 8)
            guard count > 0 else { throw .invalidValue(field: "accepted.leases", reason: "names at least one lease") }
            leases = []
            leases.reserveCapacity(count)
            for _ in 0..<count { leases.append(try reader.readUInt64("accepted.leases[]")) }
        }
    }
}
