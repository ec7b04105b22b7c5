import ArgumentParser
import Foundation

/// Timing, statistics and output helpers shared by the benchmarks.
enum BenchSupport {
    /// What a benchmark timer counts.
    enum Timer: String, CaseIterable, Sendable {
        /// Elapsed time on the monotonic clock.
        case wall
        /// CPU time of the calling thread: excludes time the thread waited for a core, so it is
        /// steadier on a machine shared with other jobs (cache and memory contention still count).
        case thread
    }

    /// Seconds of `body` on `timer`.
    @inline(never)
    static func seconds(_ timer: Timer = .wall, _ body: () throws -> Void) rethrows -> Double {
        let start = now(timer)
        try body()
        return now(timer) - start
    }

    private static func now(_ timer: Timer) -> Double {
        var ts = timespec()
        clock_gettime(timer == .wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
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
        repeats: Int, innerIterations: Int, timer: Timer = .wall, _ contenders: [() -> Void]
    ) -> [Double] {
        for run in contenders { run() }
        var samples = Array(repeating: [Double](), count: contenders.count)
        for _ in 0..<repeats {
            for (index, run) in contenders.enumerated() {
                let t = seconds(timer) { for _ in 0..<innerIterations { run() } }
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

extension BenchSupport.Timer: ExpressibleByArgument {}
