import ArgumentParser
import Foundation
import GlyphData
import StudyData

extension DataCommand {
    /// `nmsweep data glyphs`: render a glyph source set (and the Latin task sets) and print their
    /// SHA-256, the value a grid's `pretrain.glyphs.sha256` names.
    struct Glyphs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render the glyph sets from the pinned fonts and print their SHA-256 (for pretrain.glyphs.sha256 in a grid).",
            discussion: "Renders the CJK source set of the given size and the two Latin task sets, and checks each against its pin when GlyphCatalog has one.")

        @OptionGroup var location: Location

        @Option(help: "Classes (CJK characters) of the source set.")
        var classes = 500

        @Option(help: "Training images per class.")
        var trainPerClass = 40

        @Option(help: "Held-out images per class (the clean source accuracy).")
        var testPerClass = 10

        @Option(help: "Write a contact sheet of the first 20 classes (10 images each) and of the task sets to this PGM file.")
        var preview: String?

        func run() throws {
            let directory = location.directory
            print("glyphs: FreeType \(GlyphCatalog.freeTypeVersion) (pins made with \(GlyphCatalog.pinnedFreeTypeVersion))")
            let covered = try failing { try GlyphSource.coveredCharacters(dataDirectory: directory) }
            print("glyphs: the \(GlyphFonts.sourcePrint.count) source fonts share \(covered.count) CJK ideographs")
            var start = ContinuousClock.now
            let source = try failing {
                try GlyphSource.render(classCount: classes, trainPerClass: trainPerClass, testPerClass: testPerClass, dataDirectory: directory)
            }
            var seconds = (ContinuousClock.now - start) / .seconds(1)
            let images = source.labels.count
            let hash = source.sha256
            let pinned = GlyphCatalog.pinnedSource(classCount: classes, trainPerClass: trainPerClass, testPerClass: testPerClass)
            let verdict = pinned.map { $0 == hash ? "matches its pin" : "DIFFERS from its pin \($0)" } ?? "not pinned"
            print("source \(classes) classes × (\(trainPerClass) + \(testPerClass)): \(images) images, \(source.bytes.count) bytes, "
                + "\(String(format: "%.2f", seconds)) s (\(String(format: "%.0f", Double(images) / seconds)) images/s)")
            print("  sha256: \(hash) (\(verdict))")
            var sheets: [GlyphSet] = [source]
            for set in LatinGlyphSet.allCases {
                start = ContinuousClock.now
                let rendered = try failing { try set.render(dataDirectory: directory) }
                seconds = (ContinuousClock.now - start) / .seconds(1)
                print("\(set.rawValue): \(rendered.labels.count) images in \(set.fonts.count) fonts, \(String(format: "%.2f", seconds)) s, sha256 \(rendered.sha256)")
                sheets.append(rendered)
            }
            if let preview { try failing { try FileBytes.write(GlyphPreview.pgm(sheets, classes: 20, perClass: 10), to: preview) } }
        }
    }
}

extension DataCommand.Fetch {
    /// Renders the pinned glyph sets into the data folder with their manifest (`GLYPHS.sha256`),
    /// failing here when this machine's FreeType renders other bytes than the pins.
    func writeGlyphSets(_ directory: String) throws {
        let start = ContinuousClock.now
        let sets = try failing { try GlyphManifest.write(into: directory) }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        print("data: \(sets.count) rendered glyph sets match their pins (FreeType \(GlyphCatalog.freeTypeVersion)), listed in \(GlyphManifest.name) (\(String(format: "%.2f", seconds)) s)")
    }
}
