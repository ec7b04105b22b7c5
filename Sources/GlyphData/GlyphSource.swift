public import NoisyCore
import StudyData

/// The pre-training source of rendered CJK glyphs (``GlyphSourceSpec``): its classes, its
/// rendering and the check of its bytes against the spec's SHA-256.
public enum GlyphSource {
    /// The block the classes come from: CJK Unified Ideographs.
    static let block: ClosedRange<UInt32> = 0x4E00...0x9FFF

    /// Jitter of the source images: shift ± 2 px, scale 0.85–1.05, rotation ± 12°, stroke + 0–1 px.
    static let jitter = GlyphJitter(maxShift: 2, scale: 0.85...1.05, maxRotationDegrees: 12, stroke: 0...1)
    /// The source fonts' em in pixels (a CJK glyph fills ≈ 90 % of it: ≈ 19 of 28 pixels).
    static let emPixels = 21

    /// The characters of ``block`` that every source font draws, in code-point order.
    /// - Throws: ``DataError`` for a missing or altered font file.
    public static func coveredCharacters(dataDirectory: String) throws -> [UInt32] {
        var common: Set<UInt32>?
        for font in GlyphFonts.sourcePrint {
            let covered = try FontFace(path: DataCatalog.verifiedPath(of: font, in: dataDirectory), emPixels: emPixels).covered(block)
            common = common.map { $0.intersection(covered) } ?? covered
        }
        return (common ?? []).sorted()
    }

    /// The `classCount` classes: characters spread evenly over ``coveredCharacters(dataDirectory:)``
    /// (the i-th class is the ⌊i·M/N⌋-th of the M covered ones), so the classes cover the block's
    /// radicals rather than the first few.
    /// - Throws: ``DataError`` `.invalidArgument` when more classes are asked than there are characters.
    public static func classes(_ classCount: Int, dataDirectory: String) throws -> [Unicode.Scalar] {
        let covered = try coveredCharacters(dataDirectory: dataDirectory)
        guard classCount >= 1 && classCount <= covered.count else {
            throw DataError(.invalidArgument, "a glyph source of \(classCount) classes needs that many characters; the source fonts share \(covered.count) CJK ideographs")
        }
        return (0..<classCount).map { Unicode.Scalar(covered[$0 * covered.count / classCount])! }
    }

    /// The recipe of `spec`'s set (its SHA-256 is not read).
    static func recipe(classCount: Int, trainPerClass: Int, testPerClass: Int, dataDirectory: String) throws -> GlyphRecipe {
        GlyphRecipe(name: "glyph-source", characters: try classes(classCount, dataDirectory: dataDirectory),
                    fonts: GlyphFonts.sourcePrint, emPixels: emPixels, jitter: jitter, perClass: [trainPerClass, testPerClass])
    }

    /// Renders the set of these parameters (to print or pin its SHA-256: `nmsweep data glyphs`).
    public static func render(classCount: Int, trainPerClass: Int, testPerClass: Int, dataDirectory: String) throws -> GlyphSet {
        try recipe(classCount: classCount, trainPerClass: trainPerClass, testPerClass: testPerClass, dataDirectory: dataDirectory)
            .render(dataDirectory: dataDirectory)
    }

    /// The train and test data of `spec`, rendered here and checked against `spec.sha256`.
    /// - Throws: ``DataError`` `.hashMismatch` when this node renders other bytes than the spec
    ///   names (another FreeType version, or altered jitter code), naming both hashes and the
    ///   FreeType version; the errors of ``render(classCount:trainPerClass:testPerClass:dataDirectory:)``.
    public static func load(_ spec: GlyphSourceSpec, dataDirectory: String) throws -> (train: Dataset, test: Dataset) {
        if let problem = spec.problem { throw DataError(.invalidArgument, problem) }
        let set = try render(classCount: spec.classCount, trainPerClass: spec.trainPerClass, testPerClass: spec.testPerClass,
                             dataDirectory: dataDirectory)
        let actual = set.sha256
        guard actual == spec.sha256 else {
            throw DataError(.hashMismatch, "the glyph source (\(spec.classCount) classes, \(spec.trainPerClass) + \(spec.testPerClass) per class) rendered here with FreeType \(GlyphCatalog.freeTypeVersion) has SHA-256 \(actual), the cell names \(spec.sha256) (pinned with FreeType \(GlyphCatalog.pinnedFreeTypeVersion)): this node would train on other bytes, so it refuses; run the sweep on nodes with the pinned FreeType, or re-pin the grid's sha256 from `nmsweep data glyphs` on every node")
        }
        return (try set.dataset(part: 0, name: "glyph-source-train"), try set.dataset(part: 1, name: "glyph-source-test"))
    }
}
