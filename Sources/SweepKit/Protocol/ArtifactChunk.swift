extension Wire {
    /// One chunk of an artifact: the body of both ``MessageKind/artifact`` (coordinator →
    /// worker) and ``MessageKind/artifactUpload`` (worker → coordinator).
    ///
    /// An artifact of `totalBytes` travels as `count = max(1, ⌈totalBytes / 1 MiB⌉)` chunks; every
    /// chunk but the last holds exactly ``WireFormat/artifactChunkBytes``, so chunk `index`
    /// starts at `index × 1 MiB`. The decoder checks all of this.
    /// Layout: digest (32 bytes), total bytes u64 (≤ 1 TiB), index u32, count u32, bytes
    /// (≤ 1 MiB).
    public struct ArtifactChunk: Hashable, Sendable {
        public var digest: ArtifactDigest
        public var totalBytes: UInt64
        public var index: UInt32
        public var count: UInt32
        public var bytes: [UInt8]

        public init(digest: ArtifactDigest, totalBytes: UInt64, index: UInt32, count: UInt32, bytes: [UInt8]) {
            self.digest = digest
            self.totalBytes = totalBytes
            self.index = index
            self.count = count
            self.bytes = bytes
        }

        /// The chunks of a whole artifact, in order.
        public static func chunks(of artifact: [UInt8], digest: ArtifactDigest) throws(ProtocolError) -> [ArtifactChunk] {
            guard UInt64(artifact.count) <= WireFormat.maxArtifactBytes else {
                throw .oversized(field: "artifact.totalBytes", length: artifact.count, limit: Int(WireFormat.maxArtifactBytes))
            }
            let size = WireFormat.artifactChunkBytes
            let count = max(1, (artifact.count + size - 1) / size)
            return (0..<count).map { index in
                let start = index * size
                return ArtifactChunk(digest: digest, totalBytes: UInt64(artifact.count), index: UInt32(index),
                                     count: UInt32(count), bytes: Array(artifact[start..<min(start + size, artifact.count)]))
            }
        }

        /// The chunk count an artifact of `totalBytes` has.
        static func expectedCount(totalBytes: UInt64) -> UInt32 {
            let size = UInt64(WireFormat.artifactChunkBytes)
            return UInt32(max(1, (totalBytes + size - 1) / size))
        }

        /// Throws unless total, count, index and length agree.
        func validate() throws(ProtocolError) {
            guard totalBytes <= WireFormat.maxArtifactBytes else {
                throw .oversized(field: "artifact.totalBytes", length: Int(clamping: totalBytes), limit: Int(WireFormat.maxArtifactBytes))
            }
            let expected = Self.expectedCount(totalBytes: totalBytes)
            guard count == expected else {
                throw .invalidValue(field: "artifact.count", reason: "\(count) chunks for \(totalBytes) bytes; expected \(expected)")
            }
            guard index < count else { throw .invalidValue(field: "artifact.index", reason: "chunk \(index) of \(count)") }
            let start = UInt64(index) * UInt64(WireFormat.artifactChunkBytes)
            let length = min(UInt64(WireFormat.artifactChunkBytes), totalBytes - start)
            guard UInt64(bytes.count) == length else {
                throw .invalidValue(field: "artifact.bytes", reason: "chunk \(index) holds \(bytes.count) bytes; expected \(length)")
            }
        }

        func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            try validate()
            writer.write(digest)
            writer.write(totalBytes)
            writer.write(index)
            writer.write(count)
            try writer.write(bytes: bytes, field: "artifact.bytes", limit: WireFormat.artifactChunkBytes)
        }

        init(from reader: inout BinaryReader) throws(ProtocolError) {
            digest = try reader.readDigest("artifact.digest")
            totalBytes = try reader.readUInt64("artifact.totalBytes")
            index = try reader.readUInt32("artifact.index")
            count = try reader.readUInt32("artifact.count")
            bytes = try reader.readBytes("artifact.bytes", limit: WireFormat.artifactChunkBytes)
            try validate()
        }
    }
}
