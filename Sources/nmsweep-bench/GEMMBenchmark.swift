import ArgumentParser
import COpenBLAS
import NoisyCore

/// `nmsweep-bench gemm`: NoisyCore's single-threaded `gemm` against OpenBLAS `cblas_sgemm` on one
/// thread, on the same random n×n matrices, in one run.
struct GEMMBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Single-threaded SGEMM GFLOP/s of NoisyCore against OpenBLAS, measured in the same run.",
        discussion: """
            Repetitions of the two are interleaved and medians reported, because the machine is shared.
            GFLOP/s counts 2·n³ flops per call. The results of the two are compared too: 'max rel diff'
            is max|ours − openblas| / max|openblas| over all elements.
            """)

    @Option(help: "Comma-separated matrix sizes n (square n×n·n×n).")
    var sizes = "256,512,1024"

    @Option(help: "Comma-separated non-square shapes MxNxK (op(A) M×K, op(B) K×N), measured after --sizes; JSON rows then carry m, n, k.")
    var shapes = ""

    @Option(help: "Timed rounds per size (median taken); each round times each library once.")
    var repeats = 11

    @Option(help: "Transposes of A and B: nn, nt, tn or tt.")
    var trans = "nn"

    @Option(help: "Seed of the random matrices.")
    var seed: UInt64 = 1

    @Option(help: "Timer: wall (monotonic clock) or thread (CPU time of the benchmark thread, steadier when other jobs share the cores).")
    var timer: BenchSupport.Timer = .wall

    @Flag(help: "Print only {\"sizes\":[{\"n\":…,\"ours_gflops\":…,\"openblas_gflops\":…,\"ratio\":…},…]}.")
    var json = false

    func validate() throws {
        guard parsedShapes != nil else {
            throw ValidationError("--shapes must be a comma-separated list of MxNxK with positive integers, got '\(shapes)'")
        }
        guard !parsedSizes.isEmpty, parsedSizes.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--sizes must be a comma-separated list of positive integers, got '\(sizes)'")
        }
        guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
        guard parsedTrans != nil else { throw ValidationError("--trans must be nn, nt, tn or tt, got '\(trans)'") }
    }

    private var parsedSizes: [Int] {
        let parts = sizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(where: { $0 == nil }) ? [] : parts.compactMap { $0 }
    }

    private var parsedShapes: [(m: Int, n: Int, k: Int)]? {
        var result: [(m: Int, n: Int, k: Int)] = []
        for item in shapes.split(separator: ",") {
            let dims = item.lowercased().split(separator: "x").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard dims.count == 3, dims.allSatisfy({ $0 > 0 }) else { return nil }
            result.append((dims[0], dims[1], dims[2]))
        }
        return result
    }

    private var parsedTrans: (Transpose, Transpose)? {
        let t = Array(trans.lowercased())
        guard t.count == 2, let a = Self.transpose(t[0]), let b = Self.transpose(t[1]) else { return nil }
        return (a, b)
    }

    private static func transpose(_ c: Character) -> Transpose? {
        c == "n" ? Transpose.none : c == "t" ? Transpose.transposed : nil
    }

    func run() throws {
        openblas_set_num_threads(1)
        let (transA, transB) = parsedTrans!
        if !json {
            BenchSupport.note("load average before: \(BenchSupport.loadAverage() ?? "unknown")")
            print("SGEMM op(A)·op(B), trans=\(trans), single thread, median of \(repeats) interleaved rounds, \(timer) time")
            print("     n   ours GFLOP/s   OpenBLAS GFLOP/s   ratio   max rel diff")
        }
        var rows: [BenchJSON] = []
        let square = parsedSizes.map { (m: $0, n: $0, k: $0, isSquare: true) }
        let other = parsedShapes!.map { (m: $0.m, n: $0.n, k: $0.k, isSquare: false) }
        if !json && !other.isEmpty { print("     n is shown as MxNxK for --shapes") }
        for shape in square + other {
            let result = measure(m: shape.m, n: shape.n, k: shape.k, transA: transA, transB: transB)
            let ratio = result.ours / result.openblas
            let size: [(String, BenchJSON)] = shape.isSquare
                ? [("n", .int(shape.n))] : [("m", .int(shape.m)), ("n", .int(shape.n)), ("k", .int(shape.k))]
            rows.append(.object(size + [
                ("ours_gflops", .number(result.ours)), ("openblas_gflops", .number(result.openblas)),
                ("ratio", .number(ratio)),
            ]))
            if !json {
                let label = shape.isSquare ? "\(shape.n)" : "\(shape.m)x\(shape.n)x\(shape.k)"
                print(label.count > 6 ? label : String(repeating: " ", count: 6 - label.count) + label, terminator: "")
                print(String(format: "   %12.2f   %16.2f   %5.3f   %.2e",
                             result.ours, result.openblas, ratio, result.maxRelativeDifference))
            }
        }
        if json {
            print(BenchJSON.object([("sizes", .array(rows))]).text)
        } else {
            BenchSupport.note("load average after: \(BenchSupport.loadAverage() ?? "unknown")")
        }
    }

    private func measure(m: Int, n: Int, k: Int, transA: Transpose, transB: Transpose)
        -> (ours: Double, openblas: Double, maxRelativeDifference: Double)
    {
        var rng = RandomStream(seed: seed).derived("gemm-bench-\(m)x\(n)x\(k)")
        let a = transA == .none
            ? Matrix(rows: m, cols: k) { _, _ in rng.uniform(-1, 1) } : Matrix(rows: k, cols: m) { _, _ in rng.uniform(-1, 1) }
        let b = transB == .none
            ? Matrix(rows: k, cols: n) { _, _ in rng.uniform(-1, 1) } : Matrix(rows: n, cols: k) { _, _ in rng.uniform(-1, 1) }
        var ours = Matrix(rows: m, cols: n)
        var theirs = Matrix(rows: m, cols: n)
        let flops = 2 * Double(m) * Double(n) * Double(k)
        // About 10 ms per timed sample at ~100 GFLOP/s, so clock resolution does not matter.
        let inner = max(1, Int(1e9 / flops))
        let cblasA = transA == .none ? CblasNoTrans : CblasTrans
        let cblasB = transB == .none ? CblasNoTrans : CblasTrans
        let medians = a.withView { av in
            b.withView { bv in
                ours.withMutableView { ov in
                    theirs.withMutableView { tv in
                        BenchSupport.interleavedMedians(repeats: repeats, innerIterations: inner, timer: timer, [
                            { gemm(transA, transB, alpha: 1, av, bv, beta: 0, ov) },
                            {
                                cblas_sgemm(CblasRowMajor, cblasA, cblasB, Int32(m), Int32(n), Int32(k),
                                            1, av.base, Int32(av.stride), bv.base, Int32(bv.stride),
                                            0, tv.base, Int32(tv.stride))
                            },
                        ])
                    }
                }
            }
        }
        var maxDifference: Float = 0, maxMagnitude: Float = 0
        ours.withUnsafeBufferPointer { o in
            theirs.withUnsafeBufferPointer { t in
                for i in 0..<o.count {
                    maxDifference = max(maxDifference, abs(o[i] - t[i]))
                    maxMagnitude = max(maxMagnitude, abs(t[i]))
                }
            }
        }
        return (flops / medians[0] / 1e9, flops / medians[1] / 1e9,
                Double(maxDifference) / Double(max(maxMagnitude, .leastNormalMagnitude)))
    }
}
