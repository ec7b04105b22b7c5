extension Wire {
    /// Either way: "send me the artifact with this digest". A worker asks the coordinator for a
    /// cell's required artifact; a coordinator may ask the worker that made one to upload it.
    /// The answer is a run of chunks or an ``ArtifactUnavailable``. Layout: digest (32 bytes).
    public struct ArtifactRequest: WireBody {
        public static let kind = MessageKind.artifactRequest
        public var digest: ArtifactDigest

        public init(digest: ArtifactDigest) { self.digest = digest }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) { writer.write(digest) }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            digest = try reader.readDigest("artifactRequest.digest")
        }
    }
}
