import Foundation
import Postgres
import Testing
import TestSupport

/// Bad grid files through the real `nmsweep-coordinator --grid FILE --database URL`: exit code 2,
/// a message naming the file, line and field, and nothing written to the database. (The parser's
/// own cases are in SweepKitTests/GridValidationTests; this is the binary end to end.)
@Suite("Bad grid files through the real coordinator")
struct GridBadInputTests {
    /// A valid grid, one line per field (line numbers below count from 1).
    static let base = [
        "name: bad-grid",                               // 1
        "noise_ratios: [0, 0.2]",                       // 2
        "tasks: [digits]",                              // 3
        "methods: [lp]",                                // 4
        "seeds: 1",                                     // 5
        "pretrain: {epochs: 1, source_samples: 1000}",  // 6
    ]

    struct Case: CustomStringConvertible {
        var name: String
        /// Replaces line `line` (1-based) of ``base``, or appends when past its end.
        var line: Int
        var text: String
        /// The field the message must name, and the line it must give.
        var field: String
        var faultLine: Int
        var message: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "YAML syntax error", line: 3, text: "tasks: [digits", field: "yaml", faultLine: 4, message: "syntax error"),
        Case(name: "unknown key", line: 7, text: "noise_ratio: [0.1]", field: "noise_ratio", faultLine: 7, message: "unknown key"),
        Case(name: "empty axis", line: 3, text: "tasks: []", field: "tasks", faultLine: 3, message: "empty"),
        Case(name: "noise ratio -0.1", line: 2, text: "noise_ratios: [-0.1, 0.2]", field: "noise_ratios[0]", faultLine: 2,
             message: "outside [0, 1)"),
        Case(name: "noise ratio 1.0", line: 2, text: "noise_ratios: [0, 1.0]", field: "noise_ratios[1]", faultLine: 2,
             message: "outside [0, 1)"),
        Case(name: "unknown task", line: 3, text: "tasks: [digits, cifar10]", field: "tasks[1]", faultLine: 3, message: "unknown task"),
        Case(name: "unknown method", line: 4, text: "methods: [lp, fancytune]", field: "methods[1]", faultLine: 4, message: "unknown method"),
        Case(name: "string where a number goes", line: 6, text: "pretrain: {epochs: ten, source_samples: 1000}",
             field: "pretrain.epochs", faultLine: 6, message: "expected an integer, found 'ten'"),
        Case(name: "map where a list goes", line: 3, text: "tasks: {digits: 1}", field: "tasks", faultLine: 3,
             message: "expected a list of tasks, found a mapping"),
    ]

    static func grid(_ c: Case) -> String {
        var lines = base
        if c.line <= lines.count { lines[c.line - 1] = c.text } else { lines.append(c.text) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rows in `table`, or 0 when the schema was never created (nothing touched the database).
    static func rows(_ connection: PostgresConnection, _ table: String) throws -> Int {
        let exists: Bool = try connection.query("SELECT to_regclass($1) IS NOT NULL", [table])[0].decode(0)
        guard exists else { return 0 }
        return try connection.query("SELECT count(*) FROM \(table)", [])[0].decode(0)
    }

    static func expectRefused(_ run: ProcessRunner.Outcome, path: String, field: String, line: Int, message: String,
                              _ label: String) {
        #expect(run.status == 2, "\(label): exit \(run.status)\n\(run.standardError)")
        #expect(run.standardError.contains("\(path):\(line):"), "\(label): the message names the file and line \(line)\n\(run.standardError)")
        #expect(run.standardError.contains(": \(field): "), "\(label): the message names the field \(field)\n\(run.standardError)")
        #expect(run.standardError.contains(message), "\(label): the message says '\(message)'\n\(run.standardError)")
        #expect(run.standardOutput.isEmpty, "\(label): nothing on standard output")
    }

    @Test("each bad grid: exit 2, 'FILE:LINE:COL: FIELD: message', no sweep and no cells in the database")
    func badGrids() throws {
        let url = try PostgresTestServer.freshDatabaseURL("badgrid")
        let directory = NSTemporaryDirectory() + "nmsweep-bad-grids-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        for (i, c) in Self.cases.enumerated() {
            let path = "\(directory)/case\(i).yaml"
            try Self.grid(c).write(toFile: path, atomically: true, encoding: .utf8)
            let run = try ProcessRunner.run("nmsweep-coordinator", ["--grid", path, "--database", url, "--bind", "tcp://127.0.0.1:*"],
                                            timeout: 30)
            Self.expectRefused(run, path: path, field: c.field, line: c.faultLine, message: c.message, c.name)
        }
        let missing = "\(directory)/no-such-grid.yaml"
        let run = try ProcessRunner.run("nmsweep-coordinator", ["--grid", missing, "--database", url, "--bind", "tcp://127.0.0.1:*"],
                                        timeout: 30)
        Self.expectRefused(run, path: missing, field: "file", line: 1, message: "cannot read the grid file", "missing file")

        let connection = try PostgresConnection(url: url)
        #expect(try Self.rows(connection, "sweeps") == 0)
        #expect(try Self.rows(connection, "cells") == 0)
        #expect(try Self.rows(connection, "events") == 0)
    }

    @Test("the valid base grid is accepted (the cases above fail for their one changed line)")
    func baseGridIsValid() throws {
        let path = NSTemporaryDirectory() + "nmsweep-good-grid-\(getpid()).yaml"
        try (Self.base.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A database that cannot be reached: a valid grid gets past parsing and fails there (not with 2).
        let run = try ProcessRunner.run("nmsweep-coordinator", ["--grid", path, "--database", "postgresql://127.0.0.1:1/none"],
                                        timeout: 30)
        #expect(run.status != 2 && run.status != 0, "exit \(run.status): \(run.standardError)")
        #expect(!run.standardError.contains("invalid grid"), "\(run.standardError)")
    }
}
