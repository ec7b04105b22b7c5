/// Puts an artifact's chunks back together, in any order, each chunk at most once.
///
/// Memory: one buffer of the artifact's declared size (≤ ``WireFormat/maxArtifactBytes``),
/// allocated by the first chunk but not written before its chunks arrive, so the pages a peer
/// makes the receiver hold follow the bytes it actually sent, not the size it declared. It does not check the digest (SweepKit holds no SHA-256 of
/// artifacts): the receiver hashes ``bytes`` once ``isComplete``.
public struct ArtifactAssembler: Sendable {
    public let digest: ArtifactDigest
    public let totalBytes: UInt64
    public let count: UInt32
    private var buffer: [UInt8]
    private var received: [Bool]
    private var receivedCount: UInt32 = 0

    /// An assembler for the artifact `first` belongs to, holding `first`.
    public init(first: Wire.ArtifactChunk) throws(ProtocolError) {
        try first.validate()
        digest = first.digest
        totalBytes = first.totalBytes
        count = first.count
        let total = Int(first.totalBytes)
        // Uninitialised on purpose (every byte is written by its chunk before ``bytes`` returns it):
        // a zero fill would touch every page of a size that is only declared.
        buffer = [UInt8](unsafeUninitializedCapacity: total) { _, initialized in initialized = total }
        received = [Bool](repeating: false, count: Int(first.count))
        try add(first)
    }

    /// Adds a chunk; throws if it belongs to another artifact, disagrees with the first, or
    /// came before. Returns whether the artifact is now complete.
    @discardableResult
    public mutating func add(_ chunk: Wire.ArtifactChunk) throws(ProtocolError) -> Bool {
        try chunk.validate()
        guard chunk.digest == digest, chunk.totalBytes == totalBytes else {
            throw .invalidValue(field: "artifact.digest", reason: "a chunk of another artifact")
        }
        let index = Int(chunk.index)
        guard !received[index] else { throw .invalidValue(field: "artifact.index", reason: "chunk \(index) came twice") }
        let start = index * WireFormat.artifactChunkBytes
        if !chunk.bytes.isEmpty {
            buffer.withUnsafeMutableBytes { destination in
                chunk.bytes.withUnsafeBytes { source in
                    destination.baseAddress!.advanced(by: start).copyMemory(from: source.baseAddress!, byteCount: source.count)
                }
            }
        }
        received[index] = true
        receivedCount += 1
        return isComplete
    }

    public var isComplete: Bool { receivedCount == count }

    /// The artifact's bytes, once complete; `nil` before.
    public var bytes: [UInt8]? { isComplete ? buffer : nil }
}

extension ArtifactAssembler {
    /// Adds `chunk` to the transfer it belongs to among `transfers` (starting one for a first chunk)
    /// and returns the artifact's bytes when this chunk completed it, removing the finished
    /// transfer; `nil` while chunks are missing.
    ///
    /// A chunk that does not fit its transfer abandons that transfer (removed) and is rethrown, so a
    /// bad sender cannot leave a half-filled buffer behind.
    public static func accept(
        _ chunk: Wire.ArtifactChunk, into transfers: inout [ArtifactDigest: ArtifactAssembler]
    ) throws(ProtocolError) -> [UInt8]? {
        // Taken out first, so a throwing chunk leaves its transfer removed.
        var assembler: ArtifactAssembler
        if let existing = transfers.removeValue(forKey: chunk.digest) {
            assembler = existing
            try assembler.add(chunk)
        } else {
            assembler = try ArtifactAssembler(first: chunk)
        }
        guard let bytes = assembler.bytes else {
            transfers[chunk.digest] = assembler
            return nil
        }
        return bytes
    }
}
