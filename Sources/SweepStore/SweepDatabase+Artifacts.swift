import Postgres
public import SweepKit

extension SweepDatabase {
    /// Stores `bytes` under their SHA-256 (computed by the server) and returns that hash, lower-case hex.
    /// Storing the same bytes again is a no-op that returns the same hash.
    ///
    /// - Parameter expectedHash: if given, the call fails (storing nothing) unless the bytes hash to it,
    ///   so an artifact damaged on its way from a worker is refused.
    @discardableResult
    public func putArtifact(kind: String, bytes: [UInt8], expectedHash: String? = nil) throws -> String {
        try connection.transaction { c in
            let hash = try c.query("SELECT encode(sha256($1), 'hex')", PostgresBytes(bytes))[0].decode(0, as: String.self)
            if let expectedHash, expectedHash != hash {
                throw SweepStoreError(.invalidArgument, "artifact bytes hash to \(hash), not the expected \(expectedHash)")
            }
            try c.execute("""
                INSERT INTO artifacts (hash, kind, bytes, size) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING
                """, hash, kind, PostgresBytes(bytes), bytes.count)
            return hash
        }
    }

    /// The artifact with this hash, read whole into memory (a model file; large artifacts are
    /// read chunk by chunk through ``DatabaseArtifacts``), or nil.
    ///
    /// - Parameter folder: the shared artifact folder, for artifacts stored there.
    public func artifact(hash: String, folder: ArtifactFolder? = nil) throws -> ArtifactRecord? {
        guard let digest = ArtifactDigest(hex: hash),
              let kind = try connection.query("SELECT kind FROM artifacts WHERE hash = $1", hash).first?.decode(0, as: String.self),
              let reader = try DatabaseArtifacts(database: self, folder: folder).reader(for: digest) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(reader.totalBytes))
        for index in 0..<reader.chunkCount { bytes += try reader.chunk(index) }
        return ArtifactRecord(hash: hash, kind: kind, bytes: bytes)
    }

    /// Whether an artifact with this hash is stored (without reading its bytes).
    public func hasArtifact(hash: String) throws -> Bool {
        try connection.query("SELECT 1 FROM artifacts WHERE hash = $1", hash).count == 1
    }
}

extension SweepDatabase {
    /// The model a pretrain cell produced (found through its latest `artifact_stored` event), or
    /// nil when the cell has not stored one.
    public func modelArtifact(ofCell key: String) throws -> ArtifactRecord? {
        let rows = try connection.query("""
            SELECT e.detail->>'sha256' FROM events e
            WHERE e.cell_key = $1 AND e.kind = 'artifact_stored' ORDER BY e.id DESC LIMIT 1
            """, key)
        guard let hash = try rows.first?.decode(0, as: String?.self) else { return nil }
        return try artifact(hash: hash)
    }
}
