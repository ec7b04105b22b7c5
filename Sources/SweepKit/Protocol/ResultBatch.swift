extension Wire {
    /// Worker → coordinator: the results a worker has ready in one round of its socket thread
    /// (protocol version 2; version 1 sent one per message). Each is acknowledged on its own, by
    /// its cell, after the coordinator's commit.
    ///
    /// Layout: count u32 (1…``WireFormat/maxResults``), then that many ``ResultReport``s. A decoder
    /// refuses a count its bytes cannot hold (`truncated`) or that leaves bytes over (`trailingBytes`).
    public struct ResultBatch: WireBody, ExpressibleByArrayLiteral {
        public static let kind = MessageKind.result
        public var results: [ResultReport]

        public init(_ results: [ResultReport]) { self.results = results }
        public init(arrayLiteral results: ResultReport...) { self.results = results }

        /// Whole result frames made of elements encoded by ``ResultReport/encodedElement()``, in
        /// order, split where a cap says so (``WireBatching``): a worker keeps its unacknowledged
        /// results encoded and concatenates them here, without decoding or encoding them again.
        public static func frames(of elements: [[UInt8]]) -> [[UInt8]] {
            WireBatching.frames(sizes: elements.lazy.map(\.count), maxCount: WireFormat.maxResults).map { range in
                var writer = BinaryWriter(capacity: WireBatching.listOverheadBytes + elements[range].reduce(0) { $0 + $1.count })
                WireMessage.writeHeader(kind, to: &writer)
                writer.write(UInt32(range.count))
                for element in elements[range] { writer.write(raw: element) }
                return writer.bytes
            }
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            try writer.write(nonEmpty: results, field: "result.results", limit: WireFormat.maxResults, noun: "result")
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            results = try reader.readNonEmpty("result.results", limit: WireFormat.maxResults, noun: "result")
        }
    }
}
