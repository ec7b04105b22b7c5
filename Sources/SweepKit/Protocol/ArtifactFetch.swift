extension Wire {
    /// Worker → coordinator: "send chunks `first ..< first + count` of this artifact" — the
    /// window of a download. A download starts with an ``ArtifactRequest`` (answered with the
    /// first ``WireFormat/artifactWindowChunks`` chunks); the worker then asks for each further
    /// chunk as one arrives, so at most a window is in flight and neither side holds more.
    /// Chunks past the artifact's end are not sent. Layout: digest (32 bytes), first u32,
    /// count u32 (1 … ``WireFormat/artifactWindowChunks``).
    public struct ArtifactFetch: WireBody {
        public static let kind = MessageKind.artifactFetch
        public var digest: ArtifactDigest
        public var first: UInt32
        public var count: UInt32

        public init(digest: ArtifactDigest, first: UInt32, count: UInt32) {
            self.digest = digest
            self.first = first
            self.count = count
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            try Self.check(count)
            writer.write(digest)
            writer.write(first)
            writer.write(count)
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            digest = try reader.readDigest("artifactFetch.digest")
            first = try reader.readUInt32("artifactFetch.first")
            count = try reader.readUInt32("artifactFetch.count")
            try Self.check(count)
        }

        static func check(_ count: UInt32) throws(ProtocolError) {
            guard (1...WireFormat.artifactWindowChunks).contains(count) else {
                throw .invalidValue(field: "artifactFetch.count", reason: "\(count) chunks; 1…\(WireFormat.artifactWindowChunks)")
            }
        }
    }
}
