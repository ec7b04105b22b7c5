extension Wire {
    /// Worker → coordinator, the first message on every connection: who the worker is.
    ///
    /// Layout: worker id (bytes ≤ 255), incarnation u64, pid u32, slots u32 (1…1024), software
    /// version (text ≤ 64), host (text ≤ 255), capabilities (count ≤ 32 × text ≤ 64),
    /// held artifacts (count ≤ 16384 × 32 bytes).
    public struct Ready: WireBody {
        public static let kind = MessageKind.ready
        /// The worker's ZeroMQ routing id, repeated so the coordinator can check it.
        public var worker: WorkerID
        /// Random per worker process: a changed incarnation under the same id is a restarted worker.
        public var incarnation: UInt64
        public var pid: UInt32
        /// Cells it runs at once.
        public var slots: UInt32
        /// The worker's build, e.g. `"nmsweep-worker/1"` (informational; recorded in `workers.version`).
        public var softwareVersion: String
        public var host: String
        /// What it can do beyond the baseline, e.g. `"avx512"`, `"blackbox-features"`, and which
        /// result format its cells produce (``resultFormatCapability``): a coordinator admits only
        /// workers whose results are in its own format, since cell keys do not name the build.
        public var capabilities: [String]

        /// `"result-format/N"` with N = ``SweepKit/resultFormatVersion`` of this build.
        public static var resultFormatCapability: String { "result-format/\(SweepKit.resultFormatVersion)" }
        /// Artifacts in its cache (the dispatcher prefers it for cells that need them).
        public var artifacts: [ArtifactDigest]

        public init(worker: WorkerID, incarnation: UInt64, pid: UInt32, slots: UInt32, softwareVersion: String,
                    host: String, capabilities: [String] = [Ready.resultFormatCapability], artifacts: [ArtifactDigest] = []) {
            self.worker = worker
            self.incarnation = incarnation
            self.pid = pid
            self.slots = slots
            self.softwareVersion = softwareVersion
            self.host = host
            self.capabilities = capabilities
            self.artifacts = artifacts
        }

        public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
            try writer.write(worker: worker, field: "ready.worker")
            writer.write(incarnation)
            writer.write(pid)
            try writer.write(slots: slots, field: "ready.slots")
            try writer.write(text: softwareVersion, field: "ready.softwareVersion", limit: WireFormat.maxNameBytes)
            try writer.write(text: host, field: "ready.host", limit: WireFormat.maxHostBytes)
            try writer.write(count: capabilities.count, field: "ready.capabilities", limit: WireFormat.maxCapabilities)
            for capability in capabilities {
                try writer.write(text: capability, field: "ready.capabilities[]", limit: WireFormat.maxNameBytes)
            }
            try writer.write(count: artifacts.count, field: "ready.artifacts", limit: WireFormat.maxHeldArtifacts)
            for artifact in artifacts { writer.write(artifact) }
        }

        public init(from reader: inout BinaryReader) throws(ProtocolError) {
            worker = try reader.readWorkerID("ready.worker")
            incarnation = try reader.readUInt64("ready.incarnation")
            pid = try reader.readUInt32("ready.pid")
            slots = try reader.readSlots("ready.slots")
            softwareVersion = try reader.readText("ready.softwareVersion", limit: WireFormat.maxNameBytes)
            host = try reader.readText("ready.host", limit: WireFormat.maxHostBytes)
            let capabilityCount = try reader.readCount("ready.capabilities", limit: WireFormat.maxCapabilities, minimumElementBytes: 4)
            capabilities = []
            capabilities.reserveCapacity(capabilityCount)
            for _ in 0..<capabilityCount {
                capabilities.append(try reader.readText("ready.capabilities[]", limit: WireFormat.maxNameBytes))
            }
            let artifactCount = try reader.readCount("ready.artifacts", limit: WireFormat.maxHeldArtifacts, minimumElementBytes: 32)
            artifacts = []
            artifacts.reserveCapacity(artifactCount)
            for _ in 0..<artifactCount { artifacts.append(try reader.readDigest("ready.artifacts[]")) }
        }
    }
}
