import Foundation
import Postgres
import SweepKit

/// A sweep as files (issue 21, "results outlive the database"): `nmsweep export` writes one,
/// `nmsweep import` loads it into another database.
///
/// A bundle is a folder of CSV files (RFC 4180 as PostgreSQL's `COPY … (FORMAT csv, HEADER)`
/// writes and reads it: every value formatted by the server, float8 in shortest exact form, times
/// in ISO 8601 UTC) and `manifest.json`, which names the sweep and gives each file's SHA-256,
/// size and rows:
/// - `sweep.csv` — the sweep: name, grid as written, canonical grid, state, times;
/// - `cells.csv` — its cells: key, kind, spec (canonical JSON), dependency, state, attempts, last error;
/// - `results.csv` — every result of its cells, with timings, worker and finish time;
/// - `events.csv` — its events.
/// Import checks every hash before it reads a row, then loads all in one transaction, skipping what
/// the database already holds: importing a bundle twice changes nothing.
public enum SweepBundle {
    /// The manifest's `format`.
    public static let format = "nmsweep-bundle/1"

    struct Table {
        let file: String
        /// The columns, as exported and as imported (in this order).
        let columns: [(name: String, type: String)]
        var columnList: String { columns.map(\.name).joined(separator: ", ") }
    }

    static let sweep = Table(file: "sweep.csv", columns: [
        ("name", "text"), ("grid", "text"), ("canonical_grid", "jsonb"), ("state", "text"),
        ("created_at", "timestamptz"), ("updated_at", "timestamptz"), ("finished_at", "timestamptz"),
    ])
    static let cells = Table(file: "cells.csv", columns: [
        ("key", "text"), ("kind", "text"), ("spec", "jsonb"), ("depends_on", "text"), ("state", "text"),
        ("attempts", "integer"), ("last_error", "text"), ("created_at", "timestamptz"), ("updated_at", "timestamptz"),
    ])
    static let results = Table(file: "results.csv", columns: [
        ("cell_key", "text"), ("noise_ratio", "float8"), ("task", "text"), ("task_kind", "text"), ("method", "text"),
        ("seed", "bigint"), ("accuracy", "float8"), ("sve", "float8"), ("lsvr", "float8"), ("tuned_sve", "float8"),
        ("tuned_lsvr", "float8"), ("train_loss", "float8"), ("loss_terms", "jsonb"), ("realized_noise", "float8"),
        ("timings", "jsonb"), ("worker_id", "text"), ("finished_at", "timestamptz"), ("task_domain", "text"),
        ("classes", "integer"), ("probe_seed", "bigint"),
    ])
    static let events = Table(file: "events.csv", columns: [
        ("at", "timestamptz"), ("kind", "text"), ("cell_key", "text"), ("worker_id", "text"), ("message", "text"), ("detail", "jsonb"),
    ])
    static let tables = [sweep, cells, results, events]

    /// What an import did.
    public struct ImportSummary: Sendable, Equatable {
        public var sweep: String
        public var sweepCreated: Bool
        public var cells: Int, newCells: Int
        public var results: Int, newResults: Int
        public var events: Int, newEvents: Int
    }

    /// What an export wrote.
    public struct ExportSummary: Sendable, Equatable {
        public var sweep: String
        public var cells: Int, results: Int, events: Int
        public var bytes: Int
    }
}

extension SweepDatabase {
    /// Writes the sweep called `name` as a bundle into `directory` (created if missing; files of
    /// the same names are replaced), from one consistent snapshot of the database.
    public func exportSweep(named name: String, to directory: String) throws -> SweepBundle.ExportSummary {
        let sweep = try requireSweep(named: name)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let id = sweep.id  // an integer: safe in COPY's text, which takes no parameters
        let queries = [
            "SELECT \(SweepBundle.sweep.columnList) FROM sweeps WHERE id = \(id)",
            """
            SELECT c.key, c.kind, c.spec, c.depends_on, CASE WHEN c.state = 'leased' THEN 'queued' ELSE c.state END,
                   c.attempts, c.last_error, c.created_at, c.updated_at
            FROM cells c JOIN sweep_cells sc ON sc.cell_key = c.key WHERE sc.sweep_id = \(id)
            ORDER BY c.depends_on IS NOT NULL, c.key
            """,
            """
            SELECT \(SweepBundle.results.columns.map { "r." + $0.name }.joined(separator: ", "))
            FROM results r JOIN sweep_cells sc ON sc.cell_key = r.cell_key WHERE sc.sweep_id = \(id) ORDER BY r.cell_key
            """,
            "SELECT \(SweepBundle.events.columnList) FROM events WHERE sweep_id = \(id) ORDER BY id",
        ]
        var files: [(table: SweepBundle.Table, bytes: [UInt8], rows: Int)] = []
        try connection.transaction { c in
            try c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            try c.execute("SET LOCAL TimeZone = 'UTC'")
            try c.execute("SET LOCAL extra_float_digits = 1")
            for (table, query) in zip(SweepBundle.tables, queries) {
                let rows = try c.query("SELECT count(*) FROM (\(query)) q", [])[0].decode(0, as: Int.self)
                let bytes = try c.copyOut("COPY (\(query)) TO STDOUT WITH (FORMAT csv, HEADER)")
                files.append((table, bytes, rows))
            }
        }
        var entries: [String] = []
        for file in files {
            let path = directory + "/" + file.table.file
            guard FileManager.default.createFile(atPath: path, contents: Data(file.bytes)) else {
                throw SweepStoreError(.invalidArgument, "cannot write \(path)")
            }
            entries.append("    {\"file\": \(Self.jsonString(file.table.file)), \"sha256\": \"\(CellKey(sha256Of: file.bytes).hex)\", "
                           + "\"bytes\": \(file.bytes.count), \"rows\": \(file.rows)}")
        }
        let schema = try connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations", [])[0].decode(0, as: Int.self)
        let manifest = """
            {
              "format": \(Self.jsonString(SweepBundle.format)),
              "sweep": \(Self.jsonString(sweep.name)),
              "exported_at": \(Self.jsonString(ISO8601DateFormatter().string(from: Date()))),
              "schema_version": \(schema),
              "files": [
            \(entries.joined(separator: ",\n"))
              ]
            }

            """
        try manifest.write(toFile: directory + "/manifest.json", atomically: true, encoding: .utf8)
        return SweepBundle.ExportSummary(sweep: sweep.name, cells: files[1].rows, results: files[2].rows, events: files[3].rows,
                                         bytes: files.reduce(0) { $0 + $1.bytes.count })
    }

    /// Loads the bundle in `directory`: checks the manifest and every file's size and SHA-256
    /// (a mismatch is refused before anything is written), then inserts in one transaction
    /// whatever this database lacks — the sweep (by name), its cells (by key), their results (by
    /// cell), its events (by time, kind, cell, worker and message). A sweep of the same name with
    /// another canonical grid is refused.
    public func importSweep(from directory: String) throws -> SweepBundle.ImportSummary {
        let manifestPath = directory + "/manifest.json"
        guard let manifestData = FileManager.default.contents(atPath: manifestPath) else {
            throw SweepStoreError(.notFound, "\(manifestPath): no manifest (is \(directory) a bundle written by `nmsweep export`?)")
        }
        guard let manifest = try? JSONSerialization.jsonObject(with: manifestData) as? [String: Any] else {
            throw SweepStoreError(.invalidArgument, "\(manifestPath): not a JSON object")
        }
        guard let format = manifest["format"] as? String, format == SweepBundle.format else {
            throw SweepStoreError(.invalidArgument, "\(manifestPath): format is \(manifest["format"].map { "\($0)" } ?? "missing"), not \(SweepBundle.format)")
        }
        guard let entries = manifest["files"] as? [[String: Any]] else {
            throw SweepStoreError(.invalidArgument, "\(manifestPath): \"files\" is missing or not a list")
        }
        var contents: [String: [UInt8]] = [:]
        for table in SweepBundle.tables {
            guard let entry = entries.first(where: { $0["file"] as? String == table.file }),
                  let sha = entry["sha256"] as? String, let size = (entry["bytes"] as? NSNumber)?.intValue else {
                throw SweepStoreError(.invalidArgument, "\(manifestPath): no entry with sha256 and bytes for \(table.file)")
            }
            let path = directory + "/" + table.file
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SweepStoreError(.notFound, "\(path): missing (the manifest lists it)")
            }
            let bytes = [UInt8](data)
            let actual = CellKey(sha256Of: bytes).hex
            guard bytes.count == size, actual == sha else {
                throw SweepStoreError(.invalidArgument,
                                      "\(path): SHA-256 \(actual) (\(bytes.count) bytes), but the manifest says \(sha) (\(size) bytes): "
                                      + "the file was changed or damaged; nothing was imported")
            }
            contents[table.file] = bytes
        }
        return try connection.transaction { c in
            for table in SweepBundle.tables {
                let temp = "import_" + table.file.replacingOccurrences(of: ".csv", with: "")
                try c.execute("CREATE TEMP TABLE \(temp) (\(table.columns.map { "\($0.name) \($0.type)" }.joined(separator: ", "))) ON COMMIT DROP")
                try c.copyIn("COPY \(temp) (\(table.columnList)) FROM STDIN WITH (FORMAT csv, HEADER)", bytes: contents[table.file]!)
            }
            let names = try c.query("SELECT name, canonical_grid::text FROM import_sweep", [])
            guard names.count == 1 else {
                throw SweepStoreError(.invalidArgument, "\(directory)/sweep.csv: \(names.count) sweeps, not 1")
            }
            let name = try names[0].decode(0, as: String.self)
            let inserted = try c.query("""
                INSERT INTO sweeps (\(SweepBundle.sweep.columnList)) SELECT \(SweepBundle.sweep.columnList) FROM import_sweep
                ON CONFLICT (name) DO NOTHING RETURNING id
                """, [])
            let created = inserted.count == 1
            let existing = try c.query("SELECT id, canonical_grid = (SELECT canonical_grid FROM import_sweep) FROM sweeps WHERE name = $1", name)[0]
            let sweepID = try existing.decode(0, as: Int64.self)
            guard try existing.decode(1, as: Bool.self) else {
                throw SweepStoreError(.invalidArgument, "sweep \(name) is in this database with another grid: nothing was imported",
                                      hint: "import into another database, or rename one of them")
            }
            let newCells = try c.execute("""
                INSERT INTO cells (\(SweepBundle.cells.columnList)) SELECT \(SweepBundle.cells.columnList) FROM import_cells
                ON CONFLICT (key) DO NOTHING
                """)
            try c.execute("INSERT INTO sweep_cells (sweep_id, cell_key) SELECT $1, key FROM import_cells ON CONFLICT DO NOTHING", sweepID)
            let newResults = try c.execute("""
                INSERT INTO results (\(SweepBundle.results.columnList)) SELECT \(SweepBundle.results.columnList) FROM import_results
                ORDER BY cell_key ON CONFLICT (cell_key) DO NOTHING
                """)
            let newEvents = try c.execute("""
                INSERT INTO events (at, kind, sweep_id, cell_key, worker_id, message, detail)
                SELECT i.at, i.kind, $1, i.cell_key, i.worker_id, i.message, i.detail FROM import_events i
                WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.sweep_id = $1 AND e.at = i.at AND e.kind = i.kind
                                  AND e.cell_key IS NOT DISTINCT FROM i.cell_key AND e.worker_id IS NOT DISTINCT FROM i.worker_id
                                  AND e.message = i.message)
                """, sweepID)
            func count(_ table: String) throws -> Int { try c.query("SELECT count(*) FROM \(table)", [])[0].decode(0, as: Int.self) }
            return SweepBundle.ImportSummary(sweep: name, sweepCreated: created, cells: try count("import_cells"), newCells: newCells,
                                             results: try count("import_results"), newResults: newResults,
                                             events: try count("import_events"), newEvents: newEvents)
        }
    }
}
