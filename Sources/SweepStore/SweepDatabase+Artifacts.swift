import Postgres

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

    /// The artifact with this hash, or nil.
    public func artifact(hash: String) throws -> ArtifactRecord? {
        let rows = try connection.query("SELECT hash, kind, bytes FROM artifacts WHERE hash = $1", hash)
        return try rows.first.map {
            ArtifactRecord(hash: try $0.decode(0), kind: try $0.decode(1), bytes: try $0.decode(2, as: PostgresBytes.self).bytes)
        }
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
