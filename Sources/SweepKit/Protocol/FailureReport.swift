extension Wire {
    /// Why an attempt failed. Unknown codes from a newer peer are kept as they are.
    public struct FailureReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// The cell threw an error (the message says which).
        public static let error = FailureReason(rawValue: 1)
        /// A loss or a metric became NaN or infinite.
        public static let nonFinite = FailureReason(rawValue: 2)
        /// A data file is missing, corrupt, or its checksum does not match.
        public static let badData = FailureReason(rawValue: 3)
        /// A required artifact could not be had (or its bytes did not match its digest).
        public static let artifactUnavailable = FailureReason(rawValue: 4)
        /// The spec could not be decoded or names something this worker lacks.
        public static let badSpec = FailureReason(rawValue: 5)
        /// The attempt was cancelled (by ``Cancel``, a drain or a shutdown) and is handed back.
        public static let cancelled = FailureReason(rawValue: 6)
        /// The cell's process or thread crashed.
        public static let crashed = FailureReason(rawValue: 7)
        /// The worker ran out of memory or disk.
        public static let resources = FailureReason(rawValue: 8)

        public var description: String {
            switch self {
            case .error: "error"
            case .nonFinite: "non-finite"
            case .badData: "bad-data"
            case .artifactUnavailable: "artifact-unavailable"
            case .badSpec: "bad-spec"
            case .cancelled: "cancelled"
            case .crashed: "crashed"
            case .resources: "resources"
            default: "reason-\(rawValue)"
            }
        }
    }

    /// Worker → coordinator: attempt `attempt` of `cell` under `lease` failed.
    ///
    /// Layout: cell key (32 bytes), lease id u64, attempt u32 (≥ 1), reason u16, retryable bool,
    /// message (text ≤ 4 KiB).
    public struct FailureReport: WireBody {
        public static let kind = MessageKind.failure
        public var cell: CellKey
        public var lease: LeaseID
        public var attempt: UInt32
        public var reason: FailureReason
        /// Whether another attempt may succeed (a crash may; a NaN from a deterministic cell won't).
        public var retryable: Bool
        /// For people: what failed, naming the file, field or value at fault. Never a secret.
        public var message: String

        public init(cell: CellKey, lease: LeaseID, attempt: UInt32, reason: FailureReason, retryable: Bool, message: String) {
            self.cell = cell
            self.lease = lease
            self.attempt = attempt
            self.reason = reason
            self.retryable = retryable
            self.message = message
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            writer.write(cell)
            writer.write(lease)
            try writer.write(attempt: attempt, field: "failure.attempt")
            writer.write(reason.rawValue)
            writer.write(retryable)
            try writer.write(text: message, field: "failure.message", limit: WireFormat.maxTextBytes)
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            cell = try reader.readCellKey("failure.cell")
            lease = try reader.readUInt64("failure.lease")
            attempt = try reader.readAttempt("failure.attempt")
            reason = FailureReason(rawValue: try reader.readUInt16("failure.reason"))
            retryable = try reader.readBool("failure.retryable")
            message = try reader.readText("failure.message", limit: WireFormat.maxTextBytes)
        }
    }
}
