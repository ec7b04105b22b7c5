public import SweepKit
import NoisyCore
import Foundation

/// What a coordinator submits: a named set of cells (from a grid file, or no-op cells for
/// benchmarks and tests) with their attempt limit.
public struct SweepPlan: Sendable {
    public var name: String
    /// The grid as written (stored with the sweep).
    public var gridText: String
    public var cells: [GridCell]
    public var maxAttempts: Int

    public init(name: String, gridText: String, cells: [GridCell], maxAttempts: Int) {
        self.name = name
        self.gridText = gridText
        self.cells = cells
        self.maxAttempts = maxAttempts
    }

    /// Cells a plan may have unless told otherwise (`--max-cells`): ~100 MB of scheduler state.
    public static let defaultMaxCells = 1_000_000

    /// The plan of a grid file; the name is `name`, else the grid's `name:`, else the file's base name.
    /// A grid of more than `maxCells` cells is refused before it is expanded.
    /// - Throws: ``GridError`` (every fault with its line) or a file error.
    public static func grid(path: String, name: String? = nil, maxCells: Int = defaultMaxCells,
                            log: ((String) -> Void)? = nil) throws -> SweepPlan {
        let grid = try Grid.load(path: path)
        let count = grid.cellCount
        try checkSize(count, maxCells: maxCells, file: path)
        let began = Date()
        if count >= 100_000 { log?("expanding \(path): \(count) cells") }
        let expanded = grid.expand(progress: count >= 100_000 ? { made in
            log?("expanding \(path): \(made) of \(count) cells (\(made * 100 / max(1, count)) %), \(String(format: "%.1f", Date().timeIntervalSince(began))) s")
        } : nil)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let fallback = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return SweepPlan(name: name ?? grid.name ?? fallback, gridText: text, cells: expanded.cells,
                         maxAttempts: expanded.maxAttempts)
    }

    /// `count` no-op cells (indices `0..<count`), each sleeping `sleepMilliseconds`; `faults` injects
    /// a fault into the cells at those indices. Their keys depend only on index, sleep and fault, so
    /// the same plan submitted again is the same cells.
    public static func noop(name: String, count: Int, sleepMilliseconds: Int = 0, faults: [Int: TestFault] = [:],
                            maxAttempts: Int = Grid.defaultMaxAttempts, maxCells: Int = defaultMaxCells) throws -> SweepPlan {
        try checkSize(count, maxCells: maxCells, file: "--noop-cells")
        var cells: [GridCell] = []
        cells.reserveCapacity(count)
        for index in 0..<count {
            let spec = CellSpec.noop(NoopSpec(index: index, sleepMilliseconds: sleepMilliseconds, fault: faults[index]))
            let json = try CanonicalJSON.encode(spec)
            cells.append(GridCell(key: CellKey(canonicalJSON: json), kind: .evaluate, spec: spec, canonicalJSON: json,
                                  dependency: nil))
        }
        let text = "# no-op cells\ncount: \(count)\nsleep_ms: \(sleepMilliseconds)\nfaults: \(faults.count)\n"
        return SweepPlan(name: name, gridText: text, cells: cells, maxAttempts: maxAttempts)
    }

    /// Refuses a plan of more than `maxCells` cells with a ``GridError`` that says what to do.
    static func checkSize(_ count: Int, maxCells: Int, file: String) throws {
        guard count > maxCells else { return }
        let size = count == .max ? "more cells than can be counted" : "\(count) cells"
        throw GridError(faults: [GridFault(file: file, line: 1, column: 1, field: "grid",
                                           message: "\(size), more than the limit of \(maxCells) (--max-cells): "
                                               + "shrink an axis (seeds, noise_ratios, tasks, methods) or raise --max-cells")])
    }

    /// JSON text describing the plan compactly (stored as the sweep's canonical grid): the number of
    /// cells and a digest of their keys in order.
    var canonicalSummary: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(cells.count * 32)
        for cell in cells { bytes += cell.key.bytes }
        return "{\"cells\": \(cells.count), \"keys_sha256\": \"\(CellKey(sha256Of: bytes).hex)\", \"max_attempts\": \(maxAttempts)}"
    }
}
