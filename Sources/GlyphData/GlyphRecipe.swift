import NoisyCore
import StudyData

/// How a glyph set is rendered: which characters are its classes, which fonts draw them, how many
/// images each class gets and how they are jittered.
///
/// Image `j` of class `c` is drawn in font `(c + j) mod fonts.count` (every font draws every class
/// equally often, to within one image) with a pose drawn from the stream
/// `RandomStream(seed: 0).derived("<name>/<code point>", j)`: a pose depends on the set's name,
/// the character and the image's index only, so adding classes or images leaves the others'
/// pixels unchanged.
struct GlyphRecipe: Sendable {
    /// Names the jitter streams (and the data sets made from the set).
    var name: String
    /// Class `c` is `characters[c]`.
    var characters: [Unicode.Scalar]
    /// Catalogue file names of the fonts (``DataCatalog/FontFileName``).
    var fonts: [String]
    /// Pixels per em the fonts are scaled to before jitter.
    var emPixels: Int
    var jitter: GlyphJitter
    /// Images per class of each part, in order (a source: train, test; a task set: one part).
    var perClass: [Int]

    /// Side of the square images.
    static let side = 28

    /// Renders the set from the fonts in `dataDirectory` (each checked against its pin first).
    ///
    /// Cost: one FreeType outline load, emboldening and grey rasterisation per image, ≈ 20–60 µs
    /// at 28×28 (docs/data.md gives the measured rate).
    /// - Throws: ``DataError``: `.missingFile`/`.hashMismatch` for a font, `.invalidArgument` when a
    ///   font lacks a character.
    func render(dataDirectory: String) throws -> GlyphSet {
        let faces = try fonts.map { try FontFace(path: DataCatalog.verifiedPath(of: $0, in: dataDirectory), emPixels: emPixels) }
        let root = RandomStream(seed: 0)
        let side = Self.side
        var labels = [UInt16](), pixels = [UInt8]()
        let total = characters.count * perClass.reduce(0, +)
        labels.reserveCapacity(total)
        pixels.reserveCapacity(total * side * side)
        var first = 0
        for count in perClass {
            for (c, character) in characters.enumerated() {
                for j in first..<first + count {
                    var random = root.derived("\(name)/\(character.value)", UInt64(j))
                    let pose = jitter.pose(&random)
                    pixels += try faces[(c + j) % faces.count].render(character, pose: pose, side: side)
                    labels.append(UInt16(c))
                }
            }
            first += count
        }
        return GlyphSet(classCount: characters.count, side: side, partCounts: perClass.map { $0 * characters.count },
                        labels: labels, pixels: pixels)
    }
}
