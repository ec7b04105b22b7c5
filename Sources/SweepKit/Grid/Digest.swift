import StudyData

// Every digest SweepKit computes goes through these functions, backed by StudyData's SHA256
// (swift-crypto underneath; the same one that checks data files and model artifacts).

/// SHA-256 of `bytes` as 64 lowercase hex digits.
func sha256Hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
    SHA256.hash(bytes).hex
}

/// SHA-256 of the file at `path`, read in chunks (memory stays bounded for large NPY files).
/// - Throws: a `DataError` naming the file when it cannot be opened or read.
func sha256Hex(ofFileAt path: String) throws -> String {
    try SHA256.hash(fileAt: path).hex
}

/// The 32 digest bytes of `bytes`.
func sha256Bytes(of bytes: [UInt8]) -> [UInt8] {
    SHA256.hash(bytes).bytes
}
