import NoisyCore
import StudyData
import Yams

extension Grid {
    static let glyphSourceKeys = ["classes", "train_per_class", "test_per_class", "sha256"]

    /// `pretrain.glyphs: {classes, train_per_class, test_per_class, sha256}`: pre-train on rendered
    /// CJK glyphs (docs/grid.md, "Glyph source"). `sha256` may be left out when GlyphCatalog pins
    /// the set; otherwise `nmsweep data glyphs` prints it.
    static func readGlyphSource(_ node: Node, _ reader: inout GridReader) -> GlyphSourceSpec? {
        guard let entries = reader.mapping(node, "pretrain.glyphs", allowed: glyphSourceKeys) else { return nil }
        let before = reader.faults.count
        func int(_ key: String, _ range: ClosedRange<Int>, default value: Int?) -> Int? {
            guard let entry = entries[key] else {
                if value == nil { reader.fault(at: node, "pretrain.glyphs.\(key)", "missing: give the number of \(key == "classes" ? "classes (CJK characters)" : "images per class")") }
                return value
            }
            return reader.int(entry.value, "pretrain.glyphs.\(key)", in: range)
        }
        let classes = int("classes", 2...GlyphSourceSpec.maxClassCount, default: nil)
        let train = int("train_per_class", 1...1_000, default: nil)
        let test = int("test_per_class", 1...1_000, default: 10)
        guard let classes, let train, let test, reader.faults.count == before else { return nil }
        let pinned = GlyphCatalog.pinnedSource(classCount: classes, trainPerClass: train, testPerClass: test)
        var sha256: String
        if let entry = entries["sha256"] {
            guard let text = reader.string(entry.value, "pretrain.glyphs.sha256") else { return nil }
            sha256 = text.lowercased()
            if let pinned, pinned != sha256 {
                reader.fault(at: entry.value, "pretrain.glyphs.sha256", "\(text) is not the pinned SHA-256 of this set (\(pinned), FreeType \(GlyphCatalog.pinnedFreeTypeVersion)); remove sha256 to use the pin")
                return nil
            }
        } else if let pinned {
            sha256 = pinned
        } else {
            reader.fault(at: node, "pretrain.glyphs.sha256", "missing: no pinned hash for \(classes) classes × (\(train) + \(test)) images; run `nmsweep data glyphs --classes \(classes) --train-per-class \(train) --test-per-class \(test)` and write the SHA-256 it prints")
            return nil
        }
        let spec = GlyphSourceSpec(classCount: classes, trainPerClass: train, testPerClass: test, sha256: sha256)
        if let problem = spec.problem {
            reader.fault(at: node, "pretrain.glyphs", problem)
            return nil
        }
        return spec
    }
}
