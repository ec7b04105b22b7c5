import Foundation
import NoisyCore
import StudyData
import StudyRunner
import Postgres
import SweepKit
import Testing
import TestSupport
import TextTasks

/// An encoder grid through the real coordinator and two workers: each worker embeds the text
/// pool it needs with MiniLM (cached on its disk), the evaluate cells run as any others, and the
/// results carry task kind, domain and classes so the views split ID and OOD.
@Suite("Text grid on MiniLM features")
struct TextGridTests {
    static let yaml = """
        name: text-tiny
        tasks: [wordnet-verb, wordnet-verb->wordnet-verb-examples]
        methods: [lp, nmtune]
        tuning: {epochs: 5}
        seeds: 1
        features: {encoder: minilm-l6, texts_per_class: 8}

        """

    @Test("a 2-task × 2-method encoder grid runs on 2 workers; its results equal in-process runs bit for bit")
    func runsAcrossWorkers() throws {
        let data = DataCatalog.defaultDirectory()
        try DataStore.verify(data)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-textgrid-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let path = scratch + "/text-tiny.yaml"
        try Self.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let url = try PostgresTestServer.freshDatabaseURL("textgrid")
        let outcome = try ProcessRunner.run("nmsweep-coordinator", [
            "--grid", path, "--database", url, "--bind", "tcp://127.0.0.1:*", "--local-workers", "2", "--worker-slots", "1",
            "--progress", "quiet", "--worker-argument=--cache-dir=\(scratch)/cache",
        ], timeout: 240)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(2000))")

        let connection = try PostgresConnection(url: url)
        let rows = try connection.query("""
            SELECT task, method, task_kind, task_domain, classes, accuracy, sve, lsvr, timings ? 'encode' FROM results ORDER BY task, method
            """, [])
        #expect(rows.count == 4)
        let grid = try Grid.parse(yaml: Self.yaml)
        let runner = CellRunner(dataDirectory: data, textFeatures: EncodedTextFeatures())
        for row in rows {
            let task: String = try row.decode(0), method: String = try row.decode(1)
            #expect(try row.decode(2, as: String.self) == (task.contains("->") ? "ood" : "id"))
            #expect(try row.decode(3, as: String.self) == "transfer")
            #expect(try row.decode(4, as: Int?.self) == 14)
            let spec = try #require(grid.expand().cells.lazy.compactMap { cell -> EvaluateSpec? in
                if case .evaluate(let e) = cell.spec, e.task == task, e.method.rawValue == method { e } else { nil }
            }.first)
            let local = try runner.run(evaluate: spec).result
            #expect(try row.decode(5, as: Double.self) == local.accuracy, "\(task) \(method)")
            #expect(try row.decode(6, as: Double.self) == local.sve)
        }
        // The two workers share the cache folder here: the verb pool was embedded by one cell of one
        // worker (the other waited on the pool's lock and read the file), into one file.
        #expect(try rows.filter { try $0.decode(8, as: Bool.self) }.count == 1)
        let embedded = (FileManager.default.enumerator(atPath: scratch + "/cache")?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".feat") }
        #expect(embedded.count == 1, "\(embedded)")
    }
}
