/// The pinned SHA-256 of the rendered glyph sets, for the FreeType version they were rendered with
/// (docs/data.md, "Glyphs"). A node that renders other bytes refuses the cells that use them.
public enum GlyphCatalog {
    /// The FreeType version the pins below were computed with (Debian bookworm's libfreetype6).
    public static let pinnedFreeTypeVersion = "2.12.1"

    /// The FreeType version this process renders with.
    public static var freeTypeVersion: String { FontFace.freeTypeVersion }

    /// A source set whose hash is known, so a grid may leave out `sha256:`.
    public struct PinnedSource: Sendable, Hashable {
        public var classCount: Int
        public var trainPerClass: Int
        public var testPerClass: Int
        public var sha256: String
    }

    /// The source sets of the grids in `grids/` (`nmsweep data glyphs` prints others).
    public static let pinnedSources: [PinnedSource] = [
        // grids/glyphs.yaml and the pilot: 500 classes, 20,000 training and 5,000 held-out images.
        PinnedSource(classCount: 500, trainPerClass: 40, testPerClass: 10,
                     sha256: "bde3647e93e62beed22cc7f565b44934cd877be871f19f28e1c560d5d25b2ab5"),
        // The tests' tiny set (GlyphDataTests, IntegrationTests' glyph grid).
        PinnedSource(classCount: 20, trainPerClass: 3, testPerClass: 1,
                     sha256: "83d2946cc6884cc3a79ebcce6fd6549b2172b506c9e3fa0d4f6c2740c62282e5"),
    ]

    /// The pinned hash of the source set with these parameters, if any.
    public static func pinnedSource(classCount: Int, trainPerClass: Int, testPerClass: Int) -> String? {
        pinnedSources.first { $0.classCount == classCount && $0.trainPerClass == trainPerClass && $0.testPerClass == testPerClass }?.sha256
    }

    /// The task sets' hashes.
    static let taskSetSHA256: [LatinGlyphSet: String] = [
        .print: "f508c0322d365665491e1c74f7a84b21b304f56f030b12e80e233b97fc2b3c50",
        .hand: "ca9644e85f45ef5f88008ca5c8f27deb51cd5489f784ecec0b4ec09023d644e6",
    ]
}
