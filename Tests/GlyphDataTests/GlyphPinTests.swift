import Foundation
import GlyphData
import NoisyCore
import StudyData
import StudyRunner
import SweepKit
import Testing

@Suite("Glyph pins: the manifest, the cell's SHA-256 and the grid")
struct GlyphPinTests {
    @Test("a cell naming another SHA-256 than this node renders is refused, naming both hashes", .enabled(if: FontData.available, FontData.skipReason))
    func sourceHashMismatchIsRefused() throws {
        let wrong = String(repeating: "0", count: 64)
        let spec = GlyphSourceSpec(classCount: 20, trainPerClass: 3, testPerClass: 1, sha256: wrong)
        do {
            _ = try GlyphSource.load(spec, dataDirectory: FontData.directory)
            Issue.record("a set with another hash was loaded")
        } catch let error as DataError {
            #expect(error.code == .hashMismatch)
            #expect(error.message.contains(wrong) && error.message.contains(GlyphRenderingTests.tinySourceSHA256))
            #expect(error.message.contains("FreeType"))
        }
        // Through the cell runner: a non-retryable failure, before any training.
        let runner = CellRunner(dataDirectory: FontData.directory)
        let cell = PretrainSpec(noiseRatio: 0, seed: 0, epochs: 1, glyphs: spec)
        do {
            _ = try runner.run(pretrain: cell)
            Issue.record("the runner trained on a set with another hash")
        } catch let error as CellRunnerError {
            #expect(!error.retryable)
            #expect(error.message.contains(wrong))
        }
    }

    @Test("an altered font file is named with both hashes", .enabled(if: FontData.available, FontData.skipReason))
    func alteredFontIsRefused() throws {
        let scratch = try FontData.scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for name in GlyphFonts.latinPrint {
            var bytes = try FileBytes.read(FontData.directory + "/" + name)
            if name == GlyphFonts.latinPrint[0] { bytes[bytes.count - 1] ^= 1 }
            try FileBytes.write(bytes, to: scratch + "/" + name)
        }
        #expect(throws: DataError.self) { try LatinGlyphSet.print.load(dataDirectory: scratch) }
        do {
            _ = try LatinGlyphSet.print.load(dataDirectory: scratch)
        } catch let error as DataError {
            #expect(error.code == .hashMismatch)
            #expect(error.message.contains(DataCatalog.spec(named: GlyphFonts.latinPrint[0])!.sha256))
        }
    }

    @Test("the fonts are in the data manifest with their pins")
    func fontsAreInTheManifest() throws {
        let parsed = try DataStore.parseManifest(DataStore.manifest())
        for font in DataCatalog.fontFiles { #expect(parsed[font.name] == font.sha256) }
    }

    @Test("a grid's glyph source: the pin fills sha256, a wrong or missing one is a fault at its line")
    func gridGlyphSource() throws {
        let pinned = try #require(GlyphCatalog.pinnedSources.first)
        func yaml(_ glyphs: String) -> String {
            "noise_ratios: [0]\ntasks: [latin-print]\nmethods: [lp]\nseeds: 1\npretrain:\n  epochs: 1\n  glyphs: \(glyphs)\n"
        }
        let grid = try Grid.parse(yaml: yaml("{classes: \(pinned.classCount), train_per_class: \(pinned.trainPerClass), test_per_class: \(pinned.testPerClass)}"))
        #expect(grid.pretraining?.glyphs?.sha256 == pinned.sha256)
        // A Fashion-MNIST grid's cells keep their keys: no glyphs field in their JSON.
        let plain = try Grid.parse(yaml: "noise_ratios: [0]\ntasks: [mnist5k]\nmethods: [lp]\nseeds: 1\n")
        let json = String(decoding: plain.expand().cells[0].canonicalJSON, as: UTF8.self)
        #expect(!json.contains("glyphs"))
        let glyphJSON = String(decoding: grid.expand().cells[0].canonicalJSON, as: UTF8.self)
        #expect(glyphJSON.contains(pinned.sha256))

        let wrong = String(repeating: "a", count: 64)
        #expect {
            try Grid.parse(yaml: yaml("{classes: \(pinned.classCount), train_per_class: \(pinned.trainPerClass), test_per_class: \(pinned.testPerClass), sha256: \(wrong)}"))
        } throws: { error in
            "\(error)".contains("pretrain.glyphs.sha256") && "\(error)".contains("not the pinned")
        }
        #expect {
            try Grid.parse(yaml: yaml("{classes: 7, train_per_class: 3}"))
        } throws: { error in
            "\(error)".contains("nmsweep data glyphs --classes 7 --train-per-class 3 --test-per-class 10")
        }
        let explicit = try Grid.parse(yaml: yaml("{classes: 7, train_per_class: 3, sha256: \(wrong)}"))
        #expect(explicit.pretraining?.glyphs == GlyphSourceSpec(classCount: 7, trainPerClass: 3, testPerClass: 10, sha256: wrong))
        #expect(GridTask.classCount(of: "latin-print->latin-hand") == 62)
    }
}

@Suite("grids/glyphs.yaml")
struct GlyphGridFileTests {
    @Test("the glyph study's grid: the pinned 500-class source, six transfer tasks, 760 cells")
    func glyphGridExpands() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("grids/glyphs.yaml").path
        let grid = try Grid.load(path: path)
        let source = try #require(grid.pretraining?.glyphs)
        #expect(source.sha256 == GlyphCatalog.pinnedSource(classCount: 500, trainPerClass: 40, testPerClass: 10))
        #expect(grid.tasks.contains("latin-print") && grid.tasks.contains("latin-print->latin-hand"))
        let cells = grid.expand().cells
        #expect(cells.count == 5 * 8 + 5 * 8 * 6 * 3)
        #expect(Set(cells.map(\.key)).count == cells.count)
        for cell in cells {
            if case .evaluate(let e) = cell.spec { #expect(GridTask.domain(of: e) == .transfer, "\(e.task)") }
        }
    }

    @Test("the glyph ablation reuses the study's models and its LP / MLP / NMTune cells: only its 96 NMTune variants are new")
    func ablationReusesTheStudysCells() throws {
        let grids = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("grids").path
        let study = Set(try Grid.load(path: grids + "/glyphs.yaml").expand().cells.map(\.key))
        let ablation = try Grid.load(path: grids + "/glyphs-ablation.yaml").expand().cells
        #expect(ablation.count == 2 * 4 + 2 * 4 * 2 * 9)
        let pretrainings = ablation.filter { $0.kind == .pretrain }
        #expect(pretrainings.count == 8)
        #expect(pretrainings.allSatisfy { study.contains($0.key) }, "every model is one of the study's")
        #expect(ablation.filter { !study.contains($0.key) }.count == 96)
    }

    @Test("the λv test grid evaluates only glyph models the ablation never used, and reuses the study's cells on them")
    func lambdaVTestUsesFreshModels() throws {
        let grids = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("grids").path
        let study = Set(try Grid.load(path: grids + "/glyphs.yaml").expand().cells.map(\.key))
        let ablation = Set(try Grid.load(path: grids + "/glyphs-ablation.yaml").expand().cells.map(\.key))
        let test = try Grid.load(path: grids + "/glyphs-lambda-v-test.yaml").expand().cells
        #expect(test.count == 8 + 8 * 2 * 5)
        let models = test.filter { $0.kind == .pretrain }
        #expect(models.count == 8 && models.allSatisfy { study.contains($0.key) })
        #expect(test.allSatisfy { !ablation.contains($0.key) }, "no model or cell of the ablation")
        #expect(test.filter { !study.contains($0.key) }.count == 32)
    }
}

@Suite("GLYPHS.sha256: the rendered sets in the data folder", .enabled(if: FontData.available, FontData.skipReason))
struct GlyphManifestTests {
    @Test("fetch's glyph step writes every pinned set with a sha256sum manifest, and leaves equal files alone")
    func writesPinnedSets() throws {
        let scratch = try FontData.scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for font in DataCatalog.fontFiles {
            try FileManager.default.createSymbolicLink(atPath: scratch + "/" + font.name, withDestinationPath: FontData.directory + "/" + font.name)
        }
        let written = try GlyphManifest.write(into: scratch)
        #expect(written.count == GlyphCatalog.pinnedSources.count + 2)
        let manifest = try DataStore.parseManifest(String(decoding: FileBytes.read(scratch + "/" + GlyphManifest.name), as: UTF8.self))
        #expect(manifest.count == written.count)
        for (name, sha256) in manifest {
            #expect(try SHA256.hash(fileAt: scratch + "/" + name).hex == sha256, "\(name)")
        }
        #expect(Set(manifest.values).isSuperset(of: GlyphCatalog.pinnedSources.map(\.sha256)))
        let source = scratch + "/glyphs-source-20x3+1.bin"
        let before = try FileManager.default.attributesOfItem(atPath: source)[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 0.05)
        try GlyphManifest.write(into: scratch)
        #expect(try FileManager.default.attributesOfItem(atPath: source)[.modificationDate] as? Date == before)
    }
}
