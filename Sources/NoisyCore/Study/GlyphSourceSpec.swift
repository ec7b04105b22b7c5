/// A pre-training source of rendered glyphs instead of Fashion-MNIST (GlyphData renders it;
/// docs/data.md, "Glyphs"): `classCount` CJK characters drawn in the source's print fonts with
/// seeded jitter, 28×28 grey.
///
/// The spec names the set by its parameters *and* by the SHA-256 of its rendered bytes, so a cell
/// key changes when the bytes would, and a worker whose FreeType renders other bytes refuses the
/// cell instead of training on different data.
public struct GlyphSourceSpec: Codable, Hashable, Sendable {
    /// The number of classes (CJK characters), spread evenly over the characters every source
    /// font draws.
    public var classCount: Int
    /// Training images per class (fonts in turn, each with its own jitter).
    public var trainPerClass: Int
    /// Held-out images per class, for the clean source accuracy.
    public var testPerClass: Int
    /// SHA-256 (64 lowercase hex digits) of the rendered set's bytes, train then test.
    public var sha256: String

    public init(classCount: Int, trainPerClass: Int, testPerClass: Int, sha256: String) {
        self.classCount = classCount
        self.trainPerClass = trainPerClass
        self.testPerClass = testPerClass
        self.sha256 = sha256
    }

    /// The largest class count a spec may ask for (the characters every source font draws are
    /// more; GlyphData checks the exact number).
    public static let maxClassCount = 5_000

    /// Why this spec cannot name a glyph set, or nil.
    public var problem: String? {
        if !(2...Self.maxClassCount).contains(classCount) { return "glyph classes \(classCount) must be in 2…\(Self.maxClassCount)" }
        if !(1...1_000).contains(trainPerClass) { return "glyph train_per_class \(trainPerClass) must be in 1…1000" }
        if !(1...1_000).contains(testPerClass) { return "glyph test_per_class \(testPerClass) must be in 1…1000" }
        if sha256.count != 64 || !sha256.allSatisfy({ "0123456789abcdef".contains($0) }) {
            return "glyph sha256 '\(sha256)' must be 64 lowercase hex digits"
        }
        return nil
    }
}
