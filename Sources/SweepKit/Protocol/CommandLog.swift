extension Wire {
    /// Worker → coordinator: the stdout/stderr log of attempt `attempt` of command cell `cell`
    /// is the artifact `digest` — uploaded just before (artifact-upload chunks), or written to the
    /// shared artifact folder. Sent for every attempt, success or failure, so `nmsweep logs`
    /// can show each. Layout: cell key (32 bytes), attempt u32 (≥ 1), digest (32 bytes).
    public struct CommandLog: WireBody {
        public static let kind = MessageKind.commandLog
        public var cell: CellKey
        public var attempt: UInt32
        public var digest: ArtifactDigest

        public init(cell: CellKey, attempt: UInt32, digest: ArtifactDigest) {
            self.cell = cell
            self.attempt = attempt
            self.digest = digest
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            guard attempt >= 1 else { throw .invalidValue(field: "commandLog.attempt", reason: "0; attempts count from 1") }
            writer.write(cell)
            writer.write(attempt)
            writer.write(digest)
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            cell = try reader.readCellKey("commandLog.cell")
            attempt = try reader.readUInt32("commandLog.attempt")
            guard attempt >= 1 else { throw .invalidValue(field: "commandLog.attempt", reason: "0; attempts count from 1") }
            digest = try reader.readDigest("commandLog.digest")
        }
    }
}
