extension Wire {
    /// Coordinator → worker: the assignments the coordinator made to this worker in one dispatch
    /// round (protocol version 2; version 1 sent one per message). Each keeps its own lease.
    ///
    /// Layout: count u32 (1…``WireFormat/maxAssignments``), then that many ``Assign``s. A decoder
    /// refuses a count its bytes cannot hold (`truncated`) or that leaves bytes over (`trailingBytes`).
    public struct AssignBatch: WireBody, ExpressibleByArrayLiteral {
        public static let kind = MessageKind.assign
        public var assignments: [Assign]

        public init(_ assignments: [Assign]) { self.assignments = assignments }
        public init(arrayLiteral assignments: Assign...) { self.assignments = assignments }

        /// `assignments` in batches that each fit one frame (``WireBatching``), in order.
        public static func batches(of assignments: [Assign]) -> [AssignBatch] {
            WireBatching.frames(sizes: assignments.lazy.map(\.encodedBytes), maxCount: WireFormat.maxAssignments)
                .map { AssignBatch(Array(assignments[$0])) }
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            try writer.write(nonEmpty: assignments, field: "assign.assignments", limit: WireFormat.maxAssignments, noun: "assignment")
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            assignments = try reader.readNonEmpty("assign.assignments", limit: WireFormat.maxAssignments, noun: "assignment")
        }
    }
}
