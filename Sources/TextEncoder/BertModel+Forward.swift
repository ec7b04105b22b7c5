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
                    let q = MatrixView(base: rowBase, rows: length, cols: d, stride: 3 * h)
                    let k = MatrixView(base: rowBase + h, rows: length, cols: d, stride: 3 * h)
                    let v = MatrixView(base: rowBase + 2 * h, rows: length, cols: d, stride: 3 * h)
                    let s = MutableMatrixView(base: scores, rows: length, cols: length, stride: length)
                    gemm(.none, .transposed, alpha: scale, q, k, beta: 0, s)
                    softmaxRows(scores, rows: length, cols: length)
                    let out = MutableMatrixView(base: context + offset * h + head * d, rows: length, cols: d, stride: h)
                    gemm(.none, .none, alpha: 1, s.readOnly, v, beta: 0, out)
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
func addBiasGELU(_ bias: [Float], _ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    let inverseRoot2: Float = 0.70710678118654752
    bias.withUnsafeBufferPointer { b in
        for r in 0..<rows {
            let row = x + r * cols
            for j in 0..<cols {
                let v = row[j] + b[j]
                row[j] = 0.5 * v * (1 + erff(v * inverseRoot2))
            }
        }
    }
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

/// Softmax of every row in place (row maximum subtracted first).
func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows {
        let row = x + r * cols
        var largest = -Float.infinity
        for j in 0..<cols { largest = max(largest, row[j]) }
        var total: Float = 0
        for j in 0..<cols {
            let e = expf(row[j] - largest)
            row[j] = e
            total += e
        }
        let inverse = 1 / total
        for j in 0..<cols { row[j] *= inverse }
    }
}
