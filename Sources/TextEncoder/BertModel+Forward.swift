import Foundation
import NoisyCore

/// Scratch buffers of one forward pass, reused across batches by one thread.
final class ForwardWorkspace {
    private(set) var tokenCapacity = 0
    private(set) var scoreCapacity = 0
    var x = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var qkv = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var context = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var projected = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var hidden = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var scores = UnsafeMutablePointer<Float>.allocate(capacity: 1)

    /// Grows the buffers to hold `tokens` rows and a `longest`² score matrix.
    func reserve(tokens: Int, longest: Int, configuration c: BertConfiguration) {
        if tokens > tokenCapacity {
            for buffer in [x, qkv, context, projected, hidden] { buffer.deallocate() }
            x = .allocate(capacity: tokens * c.hiddenSize)
            qkv = .allocate(capacity: tokens * 3 * c.hiddenSize)
            context = .allocate(capacity: tokens * c.hiddenSize)
            projected = .allocate(capacity: tokens * c.hiddenSize)
            hidden = .allocate(capacity: tokens * c.intermediateSize)
            tokenCapacity = tokens
        }
        if longest * longest > scoreCapacity {
            scores.deallocate()
            scores = .allocate(capacity: longest * longest)
            scoreCapacity = longest * longest
        }
    }

    deinit {
        for buffer in [x, qkv, context, projected, hidden, scores] { buffer.deallocate() }
    }
}

extension BertModel {
    /// Sentence embeddings of `sequences` (token ids with `[CLS]`/`[SEP]`), written to `output`
    /// (`sequences.count × hiddenSize`, row-major): BERT forward, mean over each sequence's
    /// tokens, L2-normalised.
    ///
    /// The sequences are packed without padding: every row-wise step (embeddings, projections,
    /// feed-forward, LayerNorm) runs once over all tokens of the batch, and attention runs per
    /// sequence over its own tokens. That is exactly the reference's padded computation with its
    /// attention mask (a masked key gets weight exp(-3.4e38) = 0) without the padded rows. Each
    /// row's result depends only on its own sequence, so batching and threads change no bit.
    /// Cost: O(Σ L·(h² + h·f) + Σ L²·h) per batch.
    func embed(_ sequences: [[Int32]], into output: UnsafeMutablePointer<Float>, workspace: ForwardWorkspace) {
        let c = configuration
        let h = c.hiddenSize, f = c.intermediateSize, d = c.headSize
        let lengths = sequences.map(\.count)
        let tokens = lengths.reduce(0, +)
        guard tokens > 0 else { return }
        workspace.reserve(tokens: tokens, longest: lengths.max() ?? 1, configuration: c)
        let x = workspace.x, qkv = workspace.qkv, context = workspace.context
        let projected = workspace.projected, hidden = workspace.hidden, scores = workspace.scores

        // Embeddings: (word + token type 0) + position, then LayerNorm.
        wordEmbeddings.withUnsafeBufferPointer { words in
            positionEmbeddings.withUnsafeBufferPointer { positions in
                tokenTypeEmbeddings.withUnsafeBufferPointer { types in
                    var row = 0
                    for sequence in sequences {
                        for (position, id) in sequence.enumerated() {
                            let target = x + row * h
                            let word = words.baseAddress! + Int(id) * h, place = positions.baseAddress! + position * h
                            for j in 0..<h { target[j] = (word[j] + types[j]) + place[j] }
                            row += 1
                        }
                    }
                }
            }
        }
        layerNorm(x, rows: tokens, cols: h, gamma: embeddingNormGamma, beta: embeddingNormBeta, epsilon: c.layerNormEpsilon)

        let xView = MatrixView(base: x, rows: tokens, cols: h, stride: h)
        let scale = 1 / Float(d).squareRoot()
        for layer in layers {
            // Self-attention: Q, K, V in one GEMM, then each sequence's heads on their own tokens.
            layer.qkv.withView { w in
                gemm(.none, .transposed, alpha: 1, xView, w, beta: 0, MutableMatrixView(base: qkv, rows: tokens, cols: 3 * h, stride: 3 * h))
            }
            addRowVector(layer.qkvBias, to: qkv, rows: tokens, cols: 3 * h)
            var offset = 0
            for length in lengths {
                for head in 0..<c.heads {
                    let rowBase = qkv + offset * 3 * h + head * d
                    attend(queries: rowBase, keys: rowBase + h, values: rowBase + 2 * h, stride: 3 * h, length: length,
                           headSize: d, scale: scale, scores: scores, output: context + offset * h + head * d, outputStride: h)
                }
                offset += length
            }
            layer.attentionOutput.withView { w in
                gemm(.none, .transposed, alpha: 1, MatrixView(base: context, rows: tokens, cols: h, stride: h), w,
                     beta: 0, MutableMatrixView(base: projected, rows: tokens, cols: h, stride: h))
            }
            addBiasAndResidual(layer.attentionOutputBias, projected, residual: x, rows: tokens, cols: h)
            layerNorm(x, rows: tokens, cols: h, gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta, epsilon: c.layerNormEpsilon)

            // Feed-forward: GELU(x W1ᵀ + b1) W2ᵀ + b2, residual, LayerNorm.
            layer.intermediate.withView { w in
                gemm(.none, .transposed, alpha: 1, xView, w, beta: 0, MutableMatrixView(base: hidden, rows: tokens, cols: f, stride: f))
            }
            addBiasGELU(layer.intermediateBias, hidden, rows: tokens, cols: f)
            layer.output.withView { w in
                gemm(.none, .transposed, alpha: 1, MatrixView(base: hidden, rows: tokens, cols: f, stride: f), w,
                     beta: 0, MutableMatrixView(base: projected, rows: tokens, cols: h, stride: h))
            }
            addBiasAndResidual(layer.outputBias, projected, residual: x, rows: tokens, cols: h)
            layerNorm(x, rows: tokens, cols: h, gamma: layer.outputNormGamma, beta: layer.outputNormBeta, epsilon: c.layerNormEpsilon)
        }

        // Mean pooling over each sequence's tokens, then L2 normalisation (eps 1e-12, as F.normalize).
        var offset = 0
        for (index, length) in lengths.enumerated() {
            let target = output + index * h
            target.update(repeating: 0, count: h)
            for t in 0..<length {
                let source = x + (offset + t) * h
                for j in 0..<h { target[j] += source[j] }
            }
            let inverseCount = 1 / Float(max(length, 1))
            var squares: Float = 0
            for j in 0..<h {
                target[j] *= inverseCount
                squares += target[j] * target[j]
            }
            let inverseNorm = 1 / max(squares.squareRoot(), 1e-12)
            for j in 0..<h { target[j] *= inverseNorm }
            offset += length
        }
    }
}

// MARK: Row kernels

/// One head's attention over one sequence: `softmax(scale · Q Kᵀ) V`, written to `output`.
///
/// Direct loops instead of GEMM calls: a head has 32 columns and a sentence tens of tokens, where
/// GEMM's packing costs more than the arithmetic. Head sizes that are a multiple of 16 take the
/// vector path; others the scalar one. Cost O(length² · headSize).
func attend(queries: UnsafeMutablePointer<Float>, keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>,
            stride: Int, length: Int, headSize d: Int, scale: Float, scores: UnsafeMutablePointer<Float>,
            output: UnsafeMutablePointer<Float>, outputStride: Int) {
    let vectors = d % 16 == 0 ? d / 16 : 0
    for i in 0..<length {
        let q = queries + i * stride
        let row = scores + i * length
        var largest = -Float.infinity
        for j in 0..<length {
            let k = keys + j * stride
            var dot: Float
            if vectors > 0 {
                var acc = SIMD16<Float>()
                for v in 0..<vectors {
                    acc = acc.addingProduct(UnsafeRawPointer(q + 16 * v).loadUnaligned(as: SIMD16<Float>.self),
                                            UnsafeRawPointer(k + 16 * v).loadUnaligned(as: SIMD16<Float>.self))
                }
                dot = acc.sum()
            } else {
                dot = 0
                for t in 0..<d { dot += q[t] * k[t] }
            }
            dot *= scale
            row[j] = dot
            largest = max(largest, dot)
        }
        var total: Float = 0
        for j in 0..<length {
            let e = expf(row[j] - largest)
            row[j] = e
            total += e
        }
        let inverse = 1 / total
        let out = output + i * outputStride
        if vectors > 0 {
            for v in 0..<vectors {
                var acc = SIMD16<Float>()
                for j in 0..<length {
                    acc = acc.addingProduct(SIMD16(repeating: row[j]), UnsafeRawPointer(values + j * stride + 16 * v).loadUnaligned(as: SIMD16<Float>.self))
                }
                UnsafeMutableRawPointer(out + 16 * v).storeBytes(of: acc * inverse, as: SIMD16<Float>.self)
            }
        } else {
            for t in 0..<d {
                var acc: Float = 0
                for j in 0..<length { acc += row[j] * values[j * stride + t] }
                out[t] = acc * inverse
            }
        }
    }
}

/// `x[r, :] += bias` for every row.
func addRowVector(_ bias: [Float], to x: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    bias.withUnsafeBufferPointer { b in
        for r in 0..<rows {
            let row = x + r * cols
            for j in 0..<cols { row[j] += b[j] }
        }
    }
}

/// `residual[r, :] = (projected[r, :] + bias) + residual[r, :]` (the input of the next LayerNorm).
func addBiasAndResidual(_ bias: [Float], _ projected: UnsafeMutablePointer<Float>, residual: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    bias.withUnsafeBufferPointer { b in
        for r in 0..<rows {
            let p = projected + r * cols, x = residual + r * cols
            for j in 0..<cols { x[j] = (p[j] + b[j]) + x[j] }
        }
    }
}

/// `x = GELU(x + bias)` with the erf form `0.5·v·(1 + erf(v/√2))`, as BERT's "gelu".
///
/// erf is the rational approximation of Eigen/TensorFlow (`generic_fast_erf_float`: odd degree-13
/// over even degree-8 polynomial, input clamped to ±4; absolute error below 2e-7, about libm's
/// `erff` in float), 16 lanes at a time; libm's scalar `erff` cost a fifth of the forward pass.
func addBiasGELU(_ bias: [Float], _ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    let inverseRoot2: Float = 0.70710678118654752
    bias.withUnsafeBufferPointer { b in
        let bias = b.baseAddress!
        for r in 0..<rows {
            let row = x + r * cols
            var j = 0
            while j + 16 <= cols {
                let v = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<Float>.self)
                    + UnsafeRawPointer(bias + j).loadUnaligned(as: SIMD16<Float>.self)
                let e = fastErf(v * inverseRoot2)
                UnsafeMutableRawPointer(row + j).storeBytes(of: 0.5 * v * (1 + e), as: SIMD16<Float>.self)
                j += 16
            }
            while j < cols {
                let v = row[j] + bias[j]
                row[j] = 0.5 * v * (1 + fastErf(SIMD16(repeating: v * inverseRoot2))[0])
                j += 1
            }
        }
    }
}

/// erf(x) lane-wise: Eigen's rational approximation (see ``addBiasGELU(_:_:rows:cols:)``).
@inline(__always)
func fastErf(_ input: SIMD16<Float>) -> SIMD16<Float> {
    let x = pointwiseMax(pointwiseMin(input, SIMD16(repeating: 4)), SIMD16(repeating: -4))
    let x2 = x * x
    var p = SIMD16<Float>(repeating: 2.77068142495902e-08).addingProduct(x2, SIMD16(repeating: -2.72614225801306e-10))
    p = SIMD16(repeating: -2.10102402082508e-06).addingProduct(x2, p)
    p = SIMD16(repeating: -5.69250639462346e-05).addingProduct(x2, p)
    p = SIMD16(repeating: -7.34990630326855e-04).addingProduct(x2, p)
    p = SIMD16(repeating: -2.95459980854025e-03).addingProduct(x2, p)
    p = SIMD16(repeating: -1.60960333262415e-02).addingProduct(x2, p)
    p = x * p
    var q = SIMD16<Float>(repeating: -2.13374055278905e-04).addingProduct(x2, SIMD16(repeating: -1.45660718464996e-05))
    q = SIMD16(repeating: -1.68282697438203e-03).addingProduct(x2, q)
    q = SIMD16(repeating: -7.37332916720468e-03).addingProduct(x2, q)
    q = SIMD16(repeating: -1.42647390514189e-02).addingProduct(x2, q)
    return p / q
}

/// LayerNorm of every row in place: `(x − mean) / √(var + ε) · γ + β`, biased variance.
func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, gamma: [Float], beta: [Float], epsilon: Float) {
    gamma.withUnsafeBufferPointer { g in
        beta.withUnsafeBufferPointer { b in
            for r in 0..<rows {
                let row = x + r * cols
                var sum: Float = 0
                for j in 0..<cols { sum += row[j] }
                let mean = sum / Float(cols)
                var squares: Float = 0
                for j in 0..<cols {
                    let centred = row[j] - mean
                    squares += centred * centred
                }
                let inverse = 1 / (squares / Float(cols) + epsilon).squareRoot()
                for j in 0..<cols { row[j] = (row[j] - mean) * inverse * g[j] + b[j] }
            }
        }
    }
}
