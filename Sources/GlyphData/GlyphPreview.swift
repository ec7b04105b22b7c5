/// A contact sheet of glyph sets, to look at what was rendered.
public enum GlyphPreview {
    /// A binary PGM (P5) of the first `perClass` images of each of the first `classes` classes of
    /// each set: one row per class, sets one below the other.
    public static func pgm(_ sets: [GlyphSet], classes: Int, perClass: Int) -> [UInt8] {
        let side = sets.first?.side ?? 28
        let rows = sets.reduce(0) { $0 + min(classes, $1.classCount) }
        let width = perClass * side, height = rows * side
        var canvas = [UInt8](repeating: 0, count: width * height)
        var row = 0
        for set in sets {
            var seen = [Int](repeating: 0, count: set.classCount)
            for (index, label) in set.labels.enumerated() {
                let c = Int(label)
                guard c < classes, seen[c] < perClass else { continue }
                for y in 0..<side {
                    for x in 0..<side {
                        canvas[((row + c) * side + y) * width + seen[c] * side + x] = set.pixels[(index * side + y) * side + x]
                    }
                }
                seen[c] += 1
            }
            row += min(classes, set.classCount)
        }
        return Array("P5\n\(width) \(height)\n255\n".utf8) + canvas
    }
}
