import Foundation
import SweepKit
import Testing

/// The repository's `grids/` directory, found from this file's path.
func gridsDirectory() -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("grids").path
}

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sweepkit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Parses `yaml` as the file `file`, expecting a GridError, and returns its faults (recording an
/// issue when the grid parses or fails otherwise).
func gridFaults(_ yaml: String, file: String = "g.yaml") -> [GridFault] {
    do {
        _ = try Grid.parse(yaml: yaml, file: file)
        Issue.record("expected a GridError")
        return []
    } catch let error as GridError {
        return error.faults
    } catch {
        Issue.record("unexpected error \(error)")
        return []
    }
}
