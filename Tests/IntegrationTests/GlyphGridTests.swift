import Foundation
import NoisyCore
import Postgres
import StudyData
import StudyRunner
import SweepKit
import Testing
import TestSupport

/// A grid pre-trained on rendered glyphs, through the real coordinator and two workers: the
/// workers render the source set, check it against the SHA-256 the cells name, pre-train, and
/// evaluate on the Latin glyph tasks; every result equals an in-process run bit for bit.
@Suite("Glyph grid end to end")
struct GlyphGridTests {
    static let yaml = """
        name: glyph-tiny
        noise_ratios: [0, 0.3]
        tasks: [latin-print, latin-print->latin-hand]
        methods: [lp]
        tuning: {epochs: 3}
        seeds: 1
        pretrain:
          epochs: 1
          glyphs: {classes: 20, train_per_class: 3, test_per_class: 1}

        """

    @Test("2 glyph pre-trainings × 2 Latin tasks on 2 workers; results equal in-process runs")
    func runsAcrossWorkers() throws {
        let data = DataCatalog.defaultDirectory()
        try DataStore.verify(data, files: DataCatalog.fontFiles)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-glyphgrid-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let path = scratch + "/glyph-tiny.yaml"
        try Self.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let url = try PostgresTestServer.freshDatabaseURL("glyphgrid")
        let outcome = try ProcessRunner.run("nmsweep-coordinator", [
            "--grid", path, "--database", url, "--bind", "tcp://127.0.0.1:*", "--local-workers", "2", "--worker-slots", "1",
            "--progress", "quiet",
        ], timeout: 240)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(2000))")

        let connection = try PostgresConnection(url: url)
        let rows = try connection.query("""
            SELECT task, noise_ratio, task_kind, task_domain, classes, accuracy, sve FROM results
            WHERE task IS NOT NULL ORDER BY task, noise_ratio
            """, [])
        #expect(rows.count == 4)
        let grid = try Grid.parse(yaml: Self.yaml)
        let runner = CellRunner(dataDirectory: data)
        var models: [PretrainSpec: [UInt8]] = [:]
        for row in rows {
            let task: String = try row.decode(0), noise: Double = try row.decode(1)
            #expect(try row.decode(2, as: String.self) == (task.contains("->") ? "ood" : "id"))
            #expect(try row.decode(3, as: String.self) == "transfer")
            #expect(try row.decode(4, as: Int?.self) == 62)
            let cell = try #require(grid.expand().cells.first {
                if case .evaluate(let e) = $0.spec { e.task == task && e.noiseRatio == noise } else { false }
            })
            guard case .evaluate(let e) = cell.spec, case .pretrained(let pretrain) = e.features else {
                Issue.record("not a pretrained evaluate cell")
                continue
            }
            if models[pretrain] == nil {
                let output = try runner.run(pretrain: pretrain)
                // The model records the source's 20 classes and, with noise, its memorisation.
                let decoded = try ModelFile.decode(#require(output.artifact))
                #expect(decoded.metadata.architecture.classCount == 20)
                #expect((decoded.metadata.memorisation == nil) == (noise == 0))
                models[pretrain] = output.artifact
            }
            let local = try runner.run(evaluate: e, model: models[pretrain]).result
            #expect(try row.decode(5, as: Double.self) == local.accuracy, "\(task) noise \(noise)")
            #expect(try row.decode(6, as: Double.self) == local.sve)
        }
    }
}
