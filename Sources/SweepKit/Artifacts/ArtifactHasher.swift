import StudyData

/// The SHA-256 of an artifact's bytes, fed in pieces (a chunk at a time): what every artifact
/// backend hashes with, so modules above SweepKit need no other hashing import.
public struct ArtifactHasher: Sendable {
    private var hasher = SHA256()

    public init() {}

    /// Appends bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bytes) }

    /// Appends bytes.
    public mutating func update(_ bytes: [UInt8]) { hasher.update(bytes) }

    /// The digest of everything appended.
    public func finalize() -> ArtifactDigest { ArtifactDigest(bytes: hasher.finalize().bytes)! }

    /// The digest of `bytes`.
    public static func digest(of bytes: [UInt8]) -> ArtifactDigest {
        var hasher = ArtifactHasher()
        hasher.update(bytes)
        return hasher.finalize()
    }
}
