import NoisyCore
import StudyData

/// The rendered glyph sets of ``GlyphCatalog``, written into the data folder by `nmsweep data
/// fetch` with their own manifest, so a node learns at fetch time — not at its first cell — whether
/// its FreeType renders the pinned bytes, and `sha256sum -c` can check the sets independently.
public enum GlyphManifest {
    /// The manifest of the rendered sets in the data folder (`sha256sum` format).
    public static let name = "GLYPHS.sha256"

    /// One pinned set: its file name in the data folder, its pin and how to render it.
    struct Entry {
        var fileName: String
        var sha256: String
        var render: (String) throws -> GlyphSet
    }

    static var entries: [Entry] {
        GlyphCatalog.pinnedSources.map { pin in
            Entry(fileName: "glyphs-source-\(pin.classCount)x\(pin.trainPerClass)+\(pin.testPerClass).bin", sha256: pin.sha256) {
                try GlyphSource.render(classCount: pin.classCount, trainPerClass: pin.trainPerClass, testPerClass: pin.testPerClass, dataDirectory: $0)
            }
        } + LatinGlyphSet.allCases.map { set in
            Entry(fileName: "glyphs-\(set.rawValue).bin", sha256: GlyphCatalog.taskSetSHA256[set]!) { try set.render(dataDirectory: $0) }
        }
    }

    /// Renders every pinned set from the fonts in `directory`, checks it against its pin, writes it
    /// there as `glyphs-*.bin` (atomically; left alone when already equal) and writes the manifest.
    ///
    /// Cost: ≈ 25 µs of CPU per image (≈ 1 s for the pinned sets) plus hashing them.
    /// - Returns: each set's file name and SHA-256.
    /// - Throws: ``DataError`` `.hashMismatch` naming the set, both hashes and the FreeType versions
    ///   when this machine renders other bytes; the fonts' errors.
    @discardableResult
    public static func write(into directory: String) throws -> [(name: String, sha256: String)] {
        var written: [(name: String, sha256: String)] = []
        for entry in entries {
            let bytes = try entry.render(directory).bytes
            let actual = SHA256.hash(bytes).hex
            guard actual == entry.sha256 else {
                throw DataError(.hashMismatch, "the glyph set \(entry.fileName) rendered here with FreeType \(GlyphCatalog.freeTypeVersion) has SHA-256 \(actual), pinned \(entry.sha256) (FreeType \(GlyphCatalog.pinnedFreeTypeVersion)): cells using it would fail on this node; install the pinned FreeType (Debian bookworm's libfreetype6) or re-pin GlyphCatalog with `nmsweep data glyphs`")
            }
            let path = directory + "/" + entry.fileName
            if (try? SHA256.hash(fileAt: path).hex) != actual { try FileBytes.write(bytes, to: path) }
            written.append((entry.fileName, actual))
        }
        let manifest = written.map { "\($0.sha256)  \($0.name)\n" }.joined()
        let manifestPath = directory + "/" + name
        if (try? FileBytes.read(manifestPath)) != Array(manifest.utf8) { try FileBytes.write(Array(manifest.utf8), to: manifestPath) }
        return written
    }
}
