public import StudyData

/// The rendering side of the glyph catalogue (its pins of the source sets are StudyData's
/// ``GlyphCatalog``): the FreeType version this node renders with and the task sets' pins. A node
/// that renders other bytes refuses the cells that use them.
extension GlyphCatalog {
    /// The FreeType version this process renders with.
    public static var freeTypeVersion: String { FontFace.freeTypeVersion }

    /// The task sets' hashes.
    static let taskSetSHA256: [LatinGlyphSet: String] = [
        .print: "f508c0322d365665491e1c74f7a84b21b304f56f030b12e80e233b97fc2b3c50",
        .hand: "ca9644e85f45ef5f88008ca5c8f27deb51cd5489f784ecec0b4ec09023d644e6",
    ]
}
