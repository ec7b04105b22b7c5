import NoisyCore

extension CellKey {
    /// The domain prefix of every cell key's hashed bytes; the version is
    /// ``SweepKit/resultFormatVersion``, so a change of the result format gives every cell a new
    /// key and reruns it.
    public static var specPrefix: String { "nmsweep-cell/v\(SweepKit.resultFormatVersion)\n" }

    /// The key of `spec`: SHA-256 of ``specPrefix`` followed by the canonical JSON of its keyed
    /// form (``CellSpec/keyed``: the spec itself, except a command cell's time limit and tags).
    /// - Throws: when the spec holds a non-finite number (no valid spec does).
    public init(spec: CellSpec) throws {
        self.init(canonicalJSON: try CanonicalJSON.encode(spec.keyed))
    }

    /// The key of a spec already in canonical JSON (as ``GridCell/canonicalJSON`` holds it).
    public init(canonicalJSON: [UInt8]) {
        self.init(sha256Of: Array(Self.specPrefix.utf8) + canonicalJSON)
    }

    /// SHA-256 of arbitrary bytes as a key (the digest every key is made of).
    public init(sha256Of bytes: [UInt8]) {
        self.init(bytes: sha256Bytes(of: bytes))!
    }
}
