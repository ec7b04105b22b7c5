public import NoisyCore
public import StudyData

/// A rendered Latin glyph set of the downstream tasks: the 62 letters and digits in one group of
/// fonts, disjoint from the source's characters and fonts.
public enum LatinGlyphSet: String, CaseIterable, Sendable {
    /// Held-out print fonts (``GlyphFonts/latinPrint``).
    case print = "latin-print"
    /// Handwriting-style fonts (``GlyphFonts/latinHand``).
    case hand = "latin-hand"

    /// The classes: `0`–`9`, `A`–`Z`, `a`–`z` (``GlyphTask/characters``).
    public static var characters: [Unicode.Scalar] { GlyphTask.characters }

    /// Images per class per font.
    static let perFont = 4
    /// Jitter of the task images: milder than the source's (shift ± 1.5 px, scale 0.9–1.05,
    /// rotation ± 8°, stroke + 0–0.8 px).
    static let jitter = GlyphJitter(maxShift: 1.5, scale: 0.9...1.05, maxRotationDegrees: 8, stroke: 0...0.8)
    /// Latin capitals fill ≈ 70 % of the em: ≈ 18 of 28 pixels.
    static let emPixels = 26

    public var fonts: [String] { self == .print ? GlyphFonts.latinPrint : GlyphFonts.latinHand }

    var recipe: GlyphRecipe {
        GlyphRecipe(name: rawValue, characters: Self.characters, fonts: fonts, emPixels: Self.emPixels, jitter: Self.jitter,
                    perClass: [Self.perFont * fonts.count])
    }

    /// Renders the set (one part) without checking its pin.
    public func render(dataDirectory: String) throws -> GlyphSet { try recipe.render(dataDirectory: dataDirectory) }

    /// The set as a data set, rendered and checked against its pin (``GlyphCatalog/taskSetSHA256``).
    /// - Throws: ``DataError`` `.hashMismatch` naming both hashes and the FreeType version when
    ///   this node renders other bytes.
    public func load(dataDirectory: String) throws -> Dataset {
        let set = try render(dataDirectory: dataDirectory)
        let actual = set.sha256, pinned = GlyphCatalog.taskSetSHA256[self]!
        guard actual == pinned else {
            throw DataError(.hashMismatch, "the glyph set \(rawValue) rendered here with FreeType \(GlyphCatalog.freeTypeVersion) has SHA-256 \(actual), pinned \(pinned) (FreeType \(GlyphCatalog.pinnedFreeTypeVersion)): this node would test on other bytes, so it refuses")
        }
        return try set.dataset(part: 0, name: rawValue)
    }
}

/// The data of the glyph tasks (the tasks themselves are StudyData's ``GlyphTask``).
extension GlyphTask {
    /// The train and test data, split as StudyData's `makeTask` splits a data set: stratified by
    /// class with the stream `"split/<set>"` of `seed`, so both tasks share the print set's split.
    public func data(dataDirectory: String, seed: UInt64, trainFraction: Double) throws -> (train: Dataset, test: Dataset) {
        let root = RandomStream(seed: seed)
        func split(_ set: LatinGlyphSet) throws -> (train: Dataset, test: Dataset) {
            let dataset = try set.load(dataDirectory: dataDirectory)
            return try dataset.stratifiedSplit(trainFraction: trainFraction, random: root.derived("split/" + dataset.name))
        }
        switch self {
        case .latinPrint: return try split(.print)
        case .latinPrintToHand: return (try split(.print).train, try split(.hand).test)
        }
    }
}
