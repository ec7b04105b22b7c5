extension Wire {
    /// Either way: the requested artifact cannot be sent (unknown digest, still being made,
    /// storage error). Layout: digest (32 bytes), reason (text ≤ 4 KiB).
    public struct ArtifactUnavailable: WireBody {
        public static let kind = MessageKind.artifactUnavailable
        public var digest: ArtifactDigest
        public var reason: String

        public init(digest: ArtifactDigest, reason: String) {
            self.digest = digest
            self.reason = reason
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            writer.write(digest)
            try writer.write(text: reason, field: "artifactUnavailable.reason", limit: WireFormat.maxTextBytes)
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            digest = try reader.readDigest("artifactUnavailable.digest")
            reason = try reader.readText("artifactUnavailable.reason", limit: WireFormat.maxTextBytes)
        }
    }
}
