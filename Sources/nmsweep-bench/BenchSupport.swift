import Foundation

/// Timing, statistics and output helpers shared by the benchmarks.
enum BenchSupport {
    /// Wall-clock seconds of `body`, on the monotonic clock.
    @inline(never)
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Median of `values` (mean of the two middle ones for an even count); NaN when empty.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Measures several contenders on a shared, noisy machine: `repeats` rounds, each timing every
    /// contender once in turn (so slow phases of the machine hit all of them alike), after one
    /// untimed warm-up round. Each timing runs the contender `innerIterations` times and is divided
    /// by that count. Returns the median seconds per call of each contender, in input order.
    static func interleavedMedians(
        repeats: Int, innerIterations: Int, _ contenders: [() -> Void]
    ) -> [Double] {
        for run in contenders { run() }
        var samples = Array(repeating: [Double](), count: contenders.count)
        for _ in 0..<repeats {
            for (index, run) in contenders.enumerated() {
                let t = seconds { for _ in 0..<innerIterations { run() } }
                samples[index].append(t / Double(innerIterations))
            }
        }
        return samples.map(median)
    }

    /// The 1-, 5- and 15-minute load averages from /proc/loadavg, or nil where unavailable.
    static func loadAverage() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// A number with `digits` decimals.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// Writes to standard error (notes that must not disturb `--json` output on stdout).
    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// A JSON value whose objects keep their key order, so benchmark output has a fixed shape.
enum BenchJSON {
    case int(Int)
    case number(Double)
    case string(String)
    case array([BenchJSON])
    case object([(String, BenchJSON)])

    /// Compact JSON text. Non-finite numbers become `null`.
    var text: String {
        switch self {
        case .int(let value): return String(value)
        case .number(let value): return value.isFinite ? String(format: "%.6g", value) : "null"
        case .string(let value): return Self.quoted(value)
        case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.map { Self.quoted($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
