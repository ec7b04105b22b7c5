import ArgumentParser
import COpenBLAS
import NoisyCore

/// `nmsweep-bench svd`: NoisyCore's SVD against LAPACK `sgesdd` (OpenBLAS, one thread), same run,
/// same matrix, interleaved repetitions, medians.
struct SVDBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "svd",
        abstract: "SVD (values only, and thin with vectors) against LAPACK sgesdd, plus the 64×128 NMTune case.")

    @Option(help: "Rows of the matrix.") var rows = 1000
    @Option(help: "Columns of the matrix.") var cols = 256
    @Option(help: "Interleaved repetitions of each variant (the median is reported).") var repeats = 11
    @Option(help: "Repetitions of the small 64×128 SVD with vectors.") var smallRepeats = 300
    @Option(help: "Seed of the standard-normal test matrix.") var seed: UInt64 = 1
    @Option(help: "The SVD's arithmetic version (1, or 2: NMTune arithmetic 2).") var arithmetic = 1
    @Option(help: ArgumentHelp("Override the arithmetic's deflation tolerance (measuring variants).", visibility: .hidden))
    var deflationTolerance: Double?
    @Option(help: ArgumentHelp("Override whether a square matrix skips the QR stage (measuring variants).", visibility: .hidden))
    var squareWithoutQR: Bool?
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func validate() throws {
        guard rows > 0, cols > 0 else { throw ValidationError("--rows and --cols must be positive, got \(rows)×\(cols)") }
        guard repeats > 0, smallRepeats > 0 else { throw ValidationError("--repeats and --small-repeats must be positive") }
        guard NMTuneArithmetic.known.contains(arithmetic) else {
            throw ValidationError("--arithmetic must be one of \(Array(NMTuneArithmetic.known)), got \(arithmetic)")
        }
    }

    func run() throws {
        openblas_set_num_threads(1)
        var arithmetic = try NMTuneArithmetic.svdArithmetic(version: self.arithmetic)
        if let deflationTolerance { arithmetic.deflationTolerance = deflationTolerance }
        if let squareWithoutQR { arithmetic.squareWithoutQR = squareWithoutQR }
        var rng = RandomStream(seed: seed)
        let a = Matrix(rows: rows, cols: cols) { _, _ in rng.normal() }
        let big = try compare(a, repeats: repeats, arithmetic: arithmetic)

        var smallRng = RandomStream(seed: seed).derived("small")
        let small = Matrix(rows: 64, cols: 128) { _, _ in smallRng.normal() }
        let smallOurs = try median(repeats: smallRepeats) { _ = try svd(small, computeVectors: true, arithmetic: arithmetic) }
        let lapackSmall = LAPACKSVD(small, vectors: true)
        let smallLapack = try median(repeats: smallRepeats) { try lapackSmall.run() }

        if json {
            print("{\"rows\":\(rows),\"cols\":\(cols),"
                + "\"values\":{\"ours_ms\":\(fixed(big.oursValues, 3)),\"lapack_ms\":\(fixed(big.lapackValues, 3)),\"ratio\":\(fixed(big.oursValues / big.lapackValues, 3))},"
                + "\"vectors\":{\"ours_ms\":\(fixed(big.oursVectors, 3)),\"lapack_ms\":\(fixed(big.lapackVectors, 3)),\"ratio\":\(fixed(big.oursVectors / big.lapackVectors, 3))},"
                + "\"max_rel_diff_sigma\":\(big.maxRelativeDifference),"
                + "\"small\":{\"rows\":64,\"cols\":128,\"ours_us\":\(fixed(smallOurs * 1000, 1)),\"lapack_us\":\(fixed(smallLapack * 1000, 1)),\"ratio\":\(fixed(smallOurs / smallLapack, 3))}}")
        } else {
            print("SVD \(rows)×\(cols) float32, 1 thread, median of \(repeats) interleaved runs")
            print("  values only    ours \(fixed(big.oursValues, 2)) ms   sgesdd(N) \(fixed(big.lapackValues, 2)) ms   ratio \(fixed(big.oursValues / big.lapackValues, 2))")
            print("  with vectors   ours \(fixed(big.oursVectors, 2)) ms   sgesdd(S) \(fixed(big.lapackVectors, 2)) ms   ratio \(fixed(big.oursVectors / big.lapackVectors, 2))")
            print("  max |σ_ours − σ_lapack| / σ_lapack = \(big.maxRelativeDifference)")
            print("SVD 64×128 with vectors (NMTune batch), median of \(smallRepeats)")
            print("  ours \(fixed(smallOurs * 1000, 1)) µs   sgesdd(S) \(fixed(smallLapack * 1000, 1)) µs   ratio \(fixed(smallOurs / smallLapack, 2))")
        }
    }

    private struct Comparison {
        var oursValues = 0.0, lapackValues = 0.0, oursVectors = 0.0, lapackVectors = 0.0
        var maxRelativeDifference = 0.0
    }

    /// Medians in milliseconds of the four variants, run interleaved so drift hits all alike.
    private func compare(_ a: Matrix, repeats: Int, arithmetic: SVDArithmetic) throws -> Comparison {
        let lapackValues = LAPACKSVD(a, vectors: false), lapackVectors = LAPACKSVD(a, vectors: true)
        var times = [[Double]](repeating: [], count: 4)
        var ours: [Float] = [], theirs: [Float] = []
        for _ in 0..<repeats {
            times[0].append(try milliseconds { ours = try svd(a, arithmetic: arithmetic).singularValues })
            times[1].append(try milliseconds { try lapackValues.run() })
            times[2].append(try milliseconds { _ = try svd(a, computeVectors: true, arithmetic: arithmetic) })
            times[3].append(try milliseconds { try lapackVectors.run() })
        }
        theirs = lapackValues.singularValues
        var result = Comparison()
        let medians = times.map(medianOf)
        (result.oursValues, result.lapackValues, result.oursVectors, result.lapackVectors) = (medians[0], medians[1], medians[2], medians[3])
        for (x, y) in zip(ours, theirs) {
            result.maxRelativeDifference = max(result.maxRelativeDifference, abs(Double(x) - Double(y)) / Double(y))
        }
        return result
    }
}

/// One reusable `sgesdd_` call on a fixed matrix (workspace queried once).
///
/// LAPACK is column-major: the row-major m×n matrix is passed as the column-major n×m matrix `Aᵀ`,
/// which has the same singular values (its U and Vᵀ are our V and Uᵀ).
private final class LAPACKSVD {
    let m: Int32, n: Int32, jobz: CChar
    let source: [Float]
    var a: [Float], s: [Float], u: [Float], vt: [Float], work: [Float], iwork: [Int32]

    init(_ matrix: Matrix, vectors: Bool) {
        m = Int32(matrix.cols)
        n = Int32(matrix.rows)
        let r = Int(min(m, n))
        jobz = CChar(UInt8(ascii: vectors ? "S" : "N"))
        source = matrix.elements
        a = source
        s = [Float](repeating: 0, count: r)
        u = [Float](repeating: 0, count: vectors ? Int(m) * r : 1)
        vt = [Float](repeating: 0, count: vectors ? r * Int(n) : 1)
        iwork = [Int32](repeating: 0, count: 8 * r)
        work = [0]
        var query: Float = 0
        _ = call(lwork: -1, work: &query)
        work = [Float](repeating: 0, count: Int(query) + 1)
    }

    var singularValues: [Float] { s }

    func run() throws {
        a = source   // sgesdd destroys its input
        let info = call(lwork: Int32(work.count), work: nil)
        if info != 0 { throw ValidationError("sgesdd failed with info = \(info)") }
    }

    private func call(lwork: Int32, work query: UnsafeMutablePointer<Float>?) -> Int32 {
        var jobz = self.jobz, m = self.m, n = self.n, lda = self.m, lwork = lwork, info: Int32 = 0
        var ldu = self.m, ldvt = min(self.m, self.n)
        if self.jobz == CChar(UInt8(ascii: "N")) { ldu = 1; ldvt = 1 }
        a.withUnsafeMutableBufferPointer { a in
            s.withUnsafeMutableBufferPointer { s in
                u.withUnsafeMutableBufferPointer { u in
                    vt.withUnsafeMutableBufferPointer { vt in
                        work.withUnsafeMutableBufferPointer { work in
                            iwork.withUnsafeMutableBufferPointer { iwork in
                                sgesdd_(&jobz, &m, &n, a.baseAddress, &lda, s.baseAddress, u.baseAddress, &ldu,
                                        vt.baseAddress, &ldvt, query ?? work.baseAddress, &lwork, iwork.baseAddress, &info)
                            }
                        }
                    }
                }
            }
        }
        return info
    }
}

private func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
}

private func median(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()   // warm-up
    var times: [Double] = []
    for _ in 0..<repeats { times.append(try milliseconds(body)) }
    return medianOf(times)
}

private func medianOf(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// `value` with `digits` decimals (no Foundation formatting needed).
private func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "null" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    var fraction = String(Int(scaled - Double(whole) * scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return (value < 0 ? "-" : "") + "\(whole)" + (digits > 0 ? ".\(fraction)" : "")
}
