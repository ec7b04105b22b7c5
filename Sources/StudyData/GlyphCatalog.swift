public import NoisyCore

/// What a grid needs to know of the rendered glyph data without rendering it (docs/data.md,
/// "Glyphs"): the pinned SHA-256 of the source sets and the FreeType version they were made with.
/// Rendering and the checks against these pins live in GlyphData (FreeType), so the modules that
/// only read grids (SweepKit, the coordinator) do not link FreeType.
public enum GlyphCatalog {
    /// The FreeType version the pins below were computed with (Debian bookworm's libfreetype6).
    public static let pinnedFreeTypeVersion = "2.12.1"

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
}

/// A downstream task on rendered Latin glyphs (docs/data.md, "Glyphs"): classify the 62 letters and
/// digits, classes disjoint from the CJK source. Its data comes from GlyphData (`data(…)`).
///
/// - `latin-print` (ID): train and test splits of the print set.
/// - `latin-print->latin-hand` (OOD): trained on the print set's train split, tested on the
///   handwriting set's test split — the DomainNet analogue (same labels, a style shift).
public enum GlyphTask: String, CaseIterable, Sendable {
    case latinPrint = "latin-print"
    case latinPrintToHand = "latin-print->latin-hand"

    /// The classes of every glyph task: `0`–`9`, `A`–`Z`, `a`–`z`.
    public static let characters: [Unicode.Scalar] = (0x30...0x39).map { Unicode.Scalar($0)! }
        + (0x41...0x5A).map { Unicode.Scalar($0)! } + (0x61...0x7A).map { Unicode.Scalar($0)! }

    /// The names as grids spell them.
    public static let names = allCases.map(\.rawValue)

    /// The task called `name`, nil when it is no glyph task.
    public static func named(_ name: String) -> GlyphTask? { GlyphTask(rawValue: name) }

    public var kind: TaskKind { self == .latinPrint ? .id : .ood }
    /// Always transfer: other characters and other fonts than the source's.
    public var domain: TaskDomain { .transfer }
    public var classCount: Int { Self.characters.count }
}
