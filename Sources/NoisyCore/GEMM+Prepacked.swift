/// A weight matrix packed once into ``gemm``'s B micro-panels, for layers applied to many inputs.
///
/// A dense layer computes `X · Wᵀ + b` with `W` stored `out × in` (PyTorch's layout). The general
/// ``gemm`` packs `Wᵀ` again on every call; a model that is only evaluated (the text encoder) packs
/// it once at load with this type and calls ``gemm(_:_:_:bias:activation:_:)``, which reads the
/// panels directly. Layout: for each depth block `p` of ``GEMMBlocking/kc`` rows of `Wᵀ`, the
/// `⌈out/16⌉` 16-column panels of that block (16 floats per k step, zero-padded past `out`), exactly
/// as `GEMMPacking.packB` lays out one block.
///
/// Immutable after creation and safe to share between threads.
public final class PackedWeights: @unchecked Sendable {
    // @unchecked: `panels` is written only in `init` and read-only afterwards.
    /// Inputs per output (`in`, the GEMM's depth K).
    public let inputs: Int
    /// Outputs (`out`, the GEMM's N).
    public let outputs: Int
    /// `outputs` rounded up to whole 16-column panels.
    let paddedOutputs: Int
    let panels: UnsafeMutablePointer<Float>

    /// Packs `weights` (`outputs × inputs`, row-major): the layer's `Wᵀ` as ``gemm``'s B operand.
    /// Cost O(outputs · inputs), once.
    public init(_ weights: Matrix) {
        inputs = weights.cols
        outputs = weights.rows
        let padded = (weights.rows + GEMMBlocking.nr - 1) / GEMMBlocking.nr * GEMMBlocking.nr
        paddedOutputs = padded
        // Cache-line aligned: a micro-panel row is one 64-byte vector, which must not straddle lines.
        let panels = UnsafeMutableRawPointer.allocate(byteCount: max(1, padded * weights.cols) * MemoryLayout<Float>.stride,
                                                      alignment: GEMMScratch.alignment)
            .bindMemory(to: Float.self, capacity: max(1, padded * weights.cols))
        self.panels = panels
        weights.withView { view in
            var pc = 0
            while pc < view.cols {
                let kc = min(GEMMBlocking.kc, view.cols - pc)
                GEMMPacking.packB(.transposed, view, row0: pc, col0: 0, kc: kc, nc: view.rows, into: panels + pc * padded)
                pc += kc
            }
        }
    }

    deinit { UnsafeMutableRawPointer(panels).deallocate() }
}

/// What ``gemm(_:_:_:bias:activation:_:)`` applies to each output after the bias.
public enum GEMMActivation: Sendable {
    case identity
    /// `0.5·v·(1 + erf(v/√2))` with ``Kernels/gelu(_:)``'s erf.
    case gelu
}

/// A dense layer on packed weights: `C = activation(op(A) · Wᵀ + bias)`, single-threaded.
///
/// `op(A)` is M × `weights.inputs`, `C` is M × `weights.outputs`; `bias` (`outputs` floats, or
/// nil) is the starting value of every output's FMA chain, and the activation is applied to each
/// 6 × 16 tile in registers' reach right after its last depth block, so C is written once per
/// depth block and never re-read for the bias or the activation. C is not read before it is
/// written (NaNs in it do not propagate).
///
/// Deterministic like ``gemm``: each output is `bias + Σ a·w` as one FMA chain in increasing k,
/// restarted every ``GEMMBlocking/kc`` steps, independent of M, C's stride and the thread. Not the
/// same rounding as `gemm` followed by a bias add (the bias starts the chain instead of ending it).
/// Cost O(M · inputs · outputs).
public func gemm(
    _ transA: Transpose, _ a: MatrixView, _ weights: PackedWeights,
    bias: UnsafePointer<Float>?, activation: GEMMActivation = .identity, _ c: MutableMatrixView
) {
    let m = transA == .none ? a.rows : a.cols
    let k = transA == .none ? a.cols : a.rows
    let n = weights.outputs
    precondition(k == weights.inputs && c.rows == m && c.cols == n,
                 "gemm shapes: op(A) \(m)×\(k), packed W \(n)×\(weights.inputs), C \(c.rows)×\(c.cols)")
    if m == 0 || n == 0 { return }
    let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
    if k == 0 {
        for i in 0..<m {
            let row = c.base + i * c.stride
            if let bias { row.update(from: bias, count: n) } else { row.update(repeating: 0, count: n) }
            if activation == .gelu { Kernels.geluInPlace(row, count: n) }
        }
        return
    }
    let scratch = GEMMScratch.current()
    let packedA = scratch.bindMemory(to: Float.self, capacity: GEMMScratch.packedABytes / 4)
    let packedB = (scratch + GEMMScratch.packedABytes).bindMemory(to: Float.self, capacity: GEMMScratch.packedBBytes / 4)
    let tile = (scratch + GEMMScratch.packedABytes + GEMMScratch.packedBBytes)
        .bindMemory(to: Float.self, capacity: mr * nr)
    let ldc = c.stride
    // The bias of a partial last panel, zero-padded to 16 lanes (the kernel loads whole vectors).
    let edgeBias = UnsafeMutablePointer<Float>.allocate(capacity: nr)
    defer { edgeBias.deallocate() }

    var jc = 0
    while jc < n {
        let nc = min(GEMMBlocking.nc, n - jc)
        var pc = 0
        while pc < k {
            let kc = min(GEMMBlocking.kc, k - pc)
            let first = pc == 0, last = pc + kc == k
            // A plain copy of the block's panels into the thread's B buffer: it brings them into
            // L2 as `gemm`'s packing does (a layer's packed weights, 7 MiB for MiniLM, stay in no
            // cache between calls; read in place, the kernel waited on memory for them), at the
            // cost of a memcpy instead of the transposes.
            packedB.update(from: weights.panels + pc * weights.paddedOutputs + jc * kc, count: (nc + nr - 1) / nr * nr * kc)
            var ic = 0
            while ic < m {
                let mc = min(GEMMBlocking.mc, m - ic)
                GEMMPacking.packA(transA, a, row0: ic, col0: pc, mc: mc, kc: kc, into: packedA)
                // The loop order of `gemm`: an A micro-panel in L1, the B block streamed from L2.
                var ir = 0
                while ir < mc {
                    let rows = min(mr, mc - ir)
                    let panelA = packedA + ir * kc
                    var jr = 0
                    while jr < nc {
                        let cols = min(nr, nc - jr)
                        let panelB = packedB + jr * kc
                        let cTile = c.base + (ic + ir) * ldc + jc + jr
                        var start: UnsafePointer<Float>? = nil
                        if first, let bias {
                            if cols == nr {
                                start = bias + jc + jr
                            } else {
                                edgeBias.update(repeating: 0, count: nr)
                                edgeBias.update(from: bias + jc + jr, count: cols)
                                start = UnsafePointer(edgeBias)
                            }
                        }
                        let beta: Float = first ? 0 : 1
                        let full = rows == mr && cols == nr
                        let target = full ? cTile : tile, targetStride = full ? ldc : nr, targetBeta: Float = full ? beta : 0
                        if let start {
                            gemmMicroKernel6x16(start: start, kc, panelA, panelB, target, targetStride, 1, targetBeta)
                        } else {
                            gemmMicroKernel6x16(kc, panelA, panelB, target, targetStride, 1, targetBeta)
                        }
                        if !full {
                            gemmMergeTile(tile, into: cTile, ldc: ldc, rows: rows, cols: cols, alpha: 1, beta: beta)
                        }
                        if last && activation == .gelu {
                            for i in 0..<rows { Kernels.geluInPlace(cTile + i * ldc, count: cols) }
                        }
                        jr += nr
                    }
                    ir += mr
                }
                ic += mc
            }
            pc += kc
        }
        jc += nc
    }
}
