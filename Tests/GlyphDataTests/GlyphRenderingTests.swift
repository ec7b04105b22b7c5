import Foundation
import GlyphData
import NoisyCore
import StudyData
import Testing

/// The data folder with the pinned fonts (`nmsweep data fetch` copies them there).
enum FontData {
    static let directory = DataCatalog.defaultDirectory()
    static let available: Bool = (try? DataStore.verify(directory, files: DataCatalog.fontFiles)) != nil
    static var skipReason: Comment { "no verified fonts in \(directory): run `make data` (or `nmsweep data fetch`)" }

    /// A fresh temporary folder.
    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-glyph-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

@Suite("Glyph rendering", .enabled(if: FontData.available, FontData.skipReason))
struct GlyphRenderingTests {
    let directory = FontData.directory

    /// The SHA-256 of the 20-class source set with 3 + 1 images per class, as FreeType 2.12.1
    /// renders it (`nmsweep data glyphs --classes 20 --train-per-class 3 --test-per-class 1`).
    static let tinySourceSHA256 = "83d2946cc6884cc3a79ebcce6fd6549b2172b506c9e3fa0d4f6c2740c62282e5"

    @Test("the same parameters render the same bytes, in one process and against the pin made in another")
    func renderingIsDeterministic() throws {
        let first = try GlyphSource.render(classCount: 20, trainPerClass: 3, testPerClass: 1, dataDirectory: directory)
        let second = try GlyphSource.render(classCount: 20, trainPerClass: 3, testPerClass: 1, dataDirectory: directory)
        #expect(first == second)
        #expect(first.bytes == second.bytes)
        #expect(first.labels.count == 20 * 4 && first.partCounts == [60, 20] && first.pixels.count == 80 * 28 * 28)
        if GlyphCatalog.freeTypeVersion == GlyphCatalog.pinnedFreeTypeVersion {
            #expect(first.sha256 == Self.tinySourceSHA256)
        }
    }

    @Test("every image has ink, and jitter makes the images of a class differ")
    func imagesHaveInkAndJitter() throws {
        let set = try GlyphSource.render(classCount: 30, trainPerClass: 6, testPerClass: 2, dataDirectory: directory)
        let area = set.side * set.side
        var images = [[UInt8]]()
        for index in 0..<set.labels.count {
            let image = Array(set.pixels[index * area..<(index + 1) * area])
            let ink = image.reduce(0) { $0 + Int($1) }
            #expect(ink > 20 * 255, "image \(index) (class \(set.labels[index])) is nearly empty: \(ink)")
            // The border rows stay mostly background: glyphs are centred, not cut.
            let top = image[0..<set.side].reduce(0) { $0 + Int($1) }
            #expect(top < 8 * 255, "image \(index) touches the top edge: \(top)")
            images.append(image)
        }
        // Images of one class (train part: 6 per class, class-major) are pairwise different.
        for c in 0..<30 {
            let ofClass = images[c * 6..<(c + 1) * 6]
            #expect(Set(ofClass).count == 6, "class \(c) has repeated images")
        }
        // Adding classes or images leaves a class's images unchanged when its character stays.
        let more = try GlyphSource.render(classCount: 30, trainPerClass: 8, testPerClass: 2, dataDirectory: directory)
        #expect(Array(more.pixels[0..<6 * area]) == Array(set.pixels[0..<6 * area]))
    }

    @Test("the Latin task sets render their pinned bytes, 62 balanced classes each")
    func taskSetsMatchTheirPins() throws {
        for set in LatinGlyphSet.allCases {
            let dataset = try set.load(dataDirectory: directory)
            #expect(dataset.classCount == 62)
            #expect(Set(dataset.classCounts) == [set.fonts.count * 4])
            #expect(dataset.shape == ImageShape(height: 28, width: 28))
        }
    }

    @Test("the tasks: ID splits the print set; OOD trains on the same print split and tests on the handwriting set")
    func taskSplits() throws {
        let id = try GlyphTask.latinPrint.data(dataDirectory: directory, seed: 3, trainFraction: 0.8)
        let ood = try GlyphTask.latinPrintToHand.data(dataDirectory: directory, seed: 3, trainFraction: 0.8)
        #expect(id.train.count + id.test.count == 62 * 12 * 4)
        #expect(id.train.images == ood.train.images && id.train.labels == ood.train.labels)
        // 52 handwriting images per class: round(0.8 · 52) = 42 train, 10 test.
        #expect(ood.test.count == 62 * 10)
        #expect(id.train.count == 62 * 38 && id.test.count == 62 * 10)
        #expect(Set(ood.test.classCounts).count == 1)
        let other = try GlyphTask.latinPrint.data(dataDirectory: directory, seed: 4, trainFraction: 0.8)
        #expect(other.train.labels != id.train.labels || other.train.images != id.train.images)
    }
}
