extension Wire {
    /// Coordinator → worker: chunks `0 ..< next` of the worker's upload of this artifact are
    /// written to the coordinator's artifact store — the window of an upload. A worker sends at
    /// most ``WireFormat/artifactWindowChunks`` chunks beyond `next`, so an upload of any size
    /// holds at most a window in the coordinator's memory. Layout: digest (32 bytes), next u32.
    public struct ArtifactStored: WireBody {
        public static let kind = MessageKind.artifactStored
        public var digest: ArtifactDigest
        public var next: UInt32

        public init(digest: ArtifactDigest, next: UInt32) {
            self.digest = digest
            self.next = next
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            writer.write(digest)
            writer.write(next)
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            digest = try reader.readDigest("artifactStored.digest")
            next = try reader.readUInt32("artifactStored.next")
        }
    }
}
