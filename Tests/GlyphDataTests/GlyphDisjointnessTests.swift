import GlyphData
import NoisyCore
import StudyData
import Testing

@Suite("Glyph sets: no downstream class or font in pre-training")
struct GlyphDisjointnessTests {
    @Test("the three font groups share no file name and no file content, and cover the catalogue's fonts")
    func fontGroupsAreDisjoint() {
        let groups = [GlyphFonts.sourcePrint, GlyphFonts.latinPrint, GlyphFonts.latinHand]
        let all = groups.flatMap { $0 }
        #expect(Set(all).count == all.count, "a font is in two groups (or twice in one)")
        #expect(Set(all) == Set(DataCatalog.fontFiles.map(\.name)))
        let hashes = all.map { name in DataCatalog.spec(named: name)?.sha256 ?? "missing \(name)" }
        #expect(Set(hashes).count == hashes.count, "two font names hold the same bytes")
        for name in GlyphFonts.sourcePrint { #expect(name.hasPrefix("glyph-cjk-")) }
        for name in GlyphFonts.latinPrint { #expect(name.hasPrefix("glyph-print-")) }
        for name in GlyphFonts.latinHand { #expect(name.hasPrefix("glyph-hand-")) }
    }

    @Test("the source classes are CJK ideographs, none of them a downstream class", .enabled(if: FontData.available, FontData.skipReason))
    func classesAreDisjoint() throws {
        let source = try GlyphSource.classes(1_000, dataDirectory: FontData.directory)
        #expect(Set(source).count == 1_000)
        #expect(source.allSatisfy { (0x4E00...0x9FFF).contains($0.value) })
        #expect(Set(source).isDisjoint(with: LatinGlyphSet.characters))
        #expect(LatinGlyphSet.characters.count == 62 && Set(LatinGlyphSet.characters).count == 62)
        // A smaller source takes its classes from the same covered list, spread over it.
        let small = try GlyphSource.classes(10, dataDirectory: FontData.directory)
        #expect(small.first == source.first)
        #expect(small.last!.value > 0x9000, "the classes are spread over the block, not its first characters")
    }

    @Test("glyph tasks are transfer tasks of 62 classes; their names are not DownstreamTask's")
    func taskVocabulary() {
        #expect(GlyphTask.latinPrint.kind == .id && GlyphTask.latinPrintToHand.kind == .ood)
        #expect(GlyphTask.allCases.allSatisfy { $0.domain == .transfer && $0.classCount == 62 })
        for name in GlyphTask.names { #expect((try? DownstreamTask(name: name)) == nil) }
    }
}
