import Foundation
import NoisyCore

/// Scratch buffers of one forward pass, reused across batches by one thread.
final class ForwardWorkspace {
    private(set) var tokenCapacity = 0
    private(set) var scoreCapacity = 0
    private(set) var keyCapacity = 0
    var x = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var qkv = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var context = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var projected = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var hidden = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// One head's scores, `longest × longest` rounded up to whole vectors per row.
    var scores = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    /// One head's keys transposed (`headSize × longest` rounded up to whole vectors).
    var keys = UnsafeMutablePointer<Float>.allocate(capacity: 1)

    /// Grows the buffers to hold `tokens` rows and the attention of a `longest`-token sequence.
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
        let padded = paddedToVectors(longest)
        if longest * padded > scoreCapacity {
            scores.deallocate()
            scores = .allocate(capacity: longest * padded)
            scoreCapacity = longest * padded
        }
        if c.headSize * padded > keyCapacity {
            keys.deallocate()
            keys = .allocate(capacity: c.headSize * padded)
            keyCapacity = c.headSize * padded
        }
    }

    deinit {
        for buffer in [x, qkv, context, projected, hidden, scores, keys] { buffer.deallocate() }
    }
}

/// `count` rounded up to whole 16-lane vectors.
@inline(__always)
func paddedToVectors(_ count: Int) -> Int { (count + 15) / 16 * 16 }

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
        let projected = workspace.projected, hidden = workspace.hidden

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
        layerNorm(x, adding: nil, rows: tokens, cols: h, gamma: embeddingNormGamma, beta: embeddingNormBeta, epsilon: c.layerNormEpsilon)

        let xView = MatrixView(base: x, rows: tokens, cols: h, stride: h)
        let contextView = MatrixView(base: context, rows: tokens, cols: h, stride: h)
        let hiddenView = MatrixView(base: hidden, rows: tokens, cols: f, stride: f)
        let projectedView = MutableMatrixView(base: projected, rows: tokens, cols: h, stride: h)
        let scale = 1 / Float(d).squareRoot()
        for layer in layers {
            // Self-attention: Q, K, V (with their biases) in one GEMM, then each sequence's heads
            // on their own tokens.
            dense(xView, layer.qkv, bias: layer.qkvBias, MutableMatrixView(base: qkv, rows: tokens, cols: 3 * h, stride: 3 * h))
            var offset = 0
            for length in lengths {
                for head in 0..<c.heads {
                    let rowBase = qkv + offset * 3 * h + head * d
                    attend(queries: rowBase, keys: rowBase + h, values: rowBase + 2 * h, stride: 3 * h, length: length,
                           headSize: d, scale: scale, workspace: workspace, output: context + offset * h + head * d, outputStride: h)
                }
                offset += length
            }
            dense(contextView, layer.attentionOutput, bias: layer.attentionOutputBias, projectedView)
            layerNorm(x, adding: projected, rows: tokens, cols: h, gamma: layer.attentionNormGamma, beta: layer.attentionNormBeta, epsilon: c.layerNormEpsilon)

            // Feed-forward: GELU(x W1ᵀ + b1) W2ᵀ + b2, residual, LayerNorm.
            dense(xView, layer.intermediate, bias: layer.intermediateBias, activation: .gelu,
                  MutableMatrixView(base: hidden, rows: tokens, cols: f, stride: f))
            dense(hiddenView, layer.output, bias: layer.outputBias, projectedView)
            layerNorm(x, adding: projected, rows: tokens, cols: h, gamma: layer.outputNormGamma, beta: layer.outputNormBeta, epsilon: c.layerNormEpsilon)
        }

        // Mean pooling over each sequence's tokens, then L2 normalisation (eps 1e-12, as F.normalize).
        var offset = 0
        for (index, length) in lengths.enumerated() {
            let target = output + index * h
            target.update(repeating: 0, count: h)
            for t in 0..<length { addRow(x + (offset + t) * h, into: target, count: h) }
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

/// A dense layer on packed weights: `output = activation(input · Wᵀ + bias)`.
@inline(__always)
func dense(_ input: MatrixView, _ weights: PackedWeights, bias: [Float], activation: GEMMActivation = .identity, _ output: MutableMatrixView) {
    bias.withUnsafeBufferPointer { b in
        gemm(.none, input, weights, bias: b.baseAddress!, activation: activation, output)
    }
}

// MARK: Row kernels

/// One head's attention over one sequence: `softmax(scale · Q Kᵀ) V`, written to `output`.
///
/// Direct vector loops instead of GEMM calls (a head is 32 wide and a sentence tens of tokens, where
/// GEMM's packing would cost more than the arithmetic), with the keys in the vector lanes: the
/// head's keys are transposed once (`headSize × L`, padded to whole vectors), so a query's scores
/// against 16 keys are one FMA chain of `headSize` broadcasts (four queries at a time for
/// independent chains) with no horizontal sums; the softmax runs 8 scores at a time
/// (``Kernels/softmaxRows(_:rows:padded:length:)``, padded keys weigh 0); the values are summed
/// with the weights broadcast and the head's columns in the lanes. Cost O(length² · headSize).
func attend(queries: UnsafeMutablePointer<Float>, keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>,
            stride: Int, length: Int, headSize d: Int, scale: Float, workspace: ForwardWorkspace,
            output: UnsafeMutablePointer<Float>, outputStride: Int) {
    typealias V = SIMD16<Float>
    guard length > 0 else { return }
    let padded = paddedToVectors(length), blocks = padded / 16
    let keysT = workspace.keys, scores = workspace.scores
    for t in 0..<d {
        let row = keysT + t * padded
        for j in 0..<length { row[j] = keys[j * stride + t] }
        for j in length..<padded { row[j] = 0 }
    }
    let vectorScale = V(repeating: scale)

    // Scores, four queries per pass over a block of keys.
    var i = 0
    while i < length {
        let group = min(4, length - i)
        let q0 = queries + i * stride, q1 = queries + (i + min(1, group - 1)) * stride
        let q2 = queries + (i + min(2, group - 1)) * stride, q3 = queries + (i + min(3, group - 1)) * stride
        for block in 0..<blocks {
            var a0 = V(), a1 = V(), a2 = V(), a3 = V()
            var k = keysT + block * 16
            for t in 0..<d {
                let key = load(k)
                a0 = a0.addingProduct(V(repeating: q0[t]), key)
                a1 = a1.addingProduct(V(repeating: q1[t]), key)
                a2 = a2.addingProduct(V(repeating: q2[t]), key)
                a3 = a3.addingProduct(V(repeating: q3[t]), key)
                k += padded
            }
            let target = scores + i * padded + block * 16
            store(a0 * vectorScale, target)
            if group > 1 { store(a1 * vectorScale, target + padded) }
            if group > 2 { store(a2 * vectorScale, target + 2 * padded) }
            if group > 3 { store(a3 * vectorScale, target + 3 * padded) }
        }
        i += group
    }

    Kernels.softmaxRows(scores, rows: length, padded: padded, length: length)
    for i in 0..<length {
        let row = scores + i * padded
        let out = output + i * outputStride
        var column = 0
        while column + 16 <= d {
            var acc = V()
            for j in 0..<length { acc = acc.addingProduct(V(repeating: row[j]), load(values + j * stride + column)) }
            store(acc, out + column)
            column += 16
        }
        for t in column..<d {
            var acc: Float = 0
            for j in 0..<length { acc += row[j] * values[j * stride + t] }
            out[t] = acc
        }
    }
}

@inline(__always)
private func load(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
private func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// The sum of 16 lanes in a fixed halving tree (8 + 8, 4 + 4, 2 + 2, 1 + 1).
@inline(__always)
private func laneSum(_ v: SIMD16<Float>) -> Float {
    let v8 = v.lowHalf + v.highHalf
    let v4 = v8.lowHalf + v8.highHalf
    let v2 = v4.lowHalf + v4.highHalf
    return v2[0] + v2[1]
}

/// `target[0..<count] += source[0..<count]`, 16 lanes at a time.
func addRow(_ source: UnsafeMutablePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
    var j = 0
    while j + 16 <= count {
        store(load(target + j) + load(source + j), target + j)
        j += 16
    }
    while j < count {
        target[j] += source[j]
        j += 1
    }
}

/// LayerNorm of every row in place, `(y − mean) / √(var + ε) · γ + β` with the biased variance,
/// of `y = residual + x` when `residual` is given (the sub-layer's output added to its input in the
/// same pass), else of `x`. The row sums run in 16 vector lanes (then across them), not in one
/// sequential chain. Cost O(rows · cols).
func layerNorm(_ x: UnsafeMutablePointer<Float>, adding residual: UnsafeMutablePointer<Float>?, rows: Int, cols: Int,
               gamma: [Float], beta: [Float], epsilon: Float) {
    typealias V = SIMD16<Float>
    let vectors = cols / 16
    gamma.withUnsafeBufferPointer { g in
        beta.withUnsafeBufferPointer { b in
            let g = UnsafeMutablePointer(mutating: g.baseAddress!), b = UnsafeMutablePointer(mutating: b.baseAddress!)
            for r in 0..<rows {
                let row = x + r * cols
                var sums = V(), tail: Float = 0
                if let residual {
                    let add = residual + r * cols
                    for v in 0..<vectors {
                        let y = load(add + 16 * v) + load(row + 16 * v)
                        store(y, row + 16 * v)
                        sums += y
                    }
                    for j in (16 * vectors)..<cols {
                        row[j] = add[j] + row[j]
                        tail += row[j]
                    }
                } else {
                    for v in 0..<vectors { sums += load(row + 16 * v) }
                    for j in (16 * vectors)..<cols { tail += row[j] }
                }
                let mean = (laneSum(sums) + tail) / Float(cols)
                let vectorMean = V(repeating: mean)
                var squares = V(), squaresTail: Float = 0
                for v in 0..<vectors {
                    let centred = load(row + 16 * v) - vectorMean
                    squares = squares.addingProduct(centred, centred)
                }
                for j in (16 * vectors)..<cols { squaresTail += (row[j] - mean) * (row[j] - mean) }
                let inverse = 1 / ((laneSum(squares) + squaresTail) / Float(cols) + epsilon).squareRoot()
                let vectorInverse = V(repeating: inverse)
                for v in 0..<vectors {
                    let normalised = (load(row + 16 * v) - vectorMean) * vectorInverse
                    store(load(b + 16 * v).addingProduct(normalised, load(g + 16 * v)), row + 16 * v)
                }
                for j in (16 * vectors)..<cols { row[j] = (row[j] - mean) * inverse * g[j] + b[j] }
            }
        }
    }
}
