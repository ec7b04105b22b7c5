import Foundation
import NoisyCore

/// The shape of a BERT encoder (`config.json`), checked against what this implementation runs.
public struct BertConfiguration: Sendable, Equatable {
    public var vocabularySize = 30522
    public var hiddenSize = 384
    public var layers = 6
    public var heads = 12
    public var intermediateSize = 1536
    public var maxPositions = 512
    public var typeVocabularySize = 2
    public var layerNormEpsilon: Float = 1e-12

    public var headSize: Int { hiddenSize / heads }

    public init() {}

    /// Reads a Hugging Face BERT `config.json`; refuses other architectures and activations.
    public init(configJSON path: String) throws {
        let root = try readJSONObject(path)
        guard (root["model_type"] as? String) == "bert" else {
            throw TextEncoderError(.unsupported, "model_type is \(root["model_type"] ?? "absent"), only bert is supported", path: path)
        }
        guard (root["hidden_act"] as? String) == "gelu" else {
            throw TextEncoderError(.unsupported, "hidden_act is \(root["hidden_act"] ?? "absent"), only gelu (erf form) is supported", path: path)
        }
        if let embedding = root["position_embedding_type"] as? String, embedding != "absolute" {
            throw TextEncoderError(.unsupported, "position_embedding_type is \(embedding), only absolute is supported", path: path)
        }
        func int(_ key: String) throws -> Int {
            guard let value = (root[key] as? NSNumber)?.intValue, value > 0 else {
                throw TextEncoderError(.missing, "\(key) is missing or not a positive integer", path: path)
            }
            return value
        }
        vocabularySize = try int("vocab_size")
        hiddenSize = try int("hidden_size")
        layers = try int("num_hidden_layers")
        heads = try int("num_attention_heads")
        intermediateSize = try int("intermediate_size")
        maxPositions = try int("max_position_embeddings")
        typeVocabularySize = try int("type_vocab_size")
        layerNormEpsilon = (root["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-12
        guard hiddenSize % heads == 0 else {
            throw TextEncoderError(.unsupported, "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(heads)", path: path)
        }
    }
}

/// The weights of one BERT encoder layer, laid out for the forward pass.
struct BertLayer: Sendable {
    /// Query, key and value weights stacked (`3·hidden × hidden`, PyTorch's `out × in`), packed.
    var qkv: PackedWeights
    var qkvBias: [Float]
    var attentionOutput: PackedWeights
    var attentionOutputBias: [Float]
    var attentionNormGamma: [Float]
    var attentionNormBeta: [Float]
    var intermediate: PackedWeights
    var intermediateBias: [Float]
    var output: PackedWeights
    var outputBias: [Float]
    var outputNormGamma: [Float]
    var outputNormBeta: [Float]
}

/// A BERT encoder with mean pooling and L2 normalisation: sentence-transformers' all-MiniLM-L6-v2.
///
/// Weights are read from `model.safetensors` (F32, PyTorch names `embeddings.*`,
/// `encoder.layer.N.*`); the pooler head is not used (sentence-transformers pools the tokens).
/// Immutable and thread-safe: ``TextEncoder`` runs one forward pass per thread on shared weights.
public struct BertModel: Sendable {
    public let configuration: BertConfiguration
    var wordEmbeddings: Matrix
    var positionEmbeddings: Matrix
    var tokenTypeEmbeddings: Matrix
    var embeddingNormGamma: [Float]
    var embeddingNormBeta: [Float]
    var layers: [BertLayer]

    /// Loads and checks every tensor against `configuration`.
    public init(weights: SafeTensors, configuration: BertConfiguration) throws {
        let h = configuration.hiddenSize, f = configuration.intermediateSize
        self.configuration = configuration
        wordEmbeddings = try weights.matrix("embeddings.word_embeddings.weight", rows: configuration.vocabularySize, cols: h)
        positionEmbeddings = try weights.matrix("embeddings.position_embeddings.weight", rows: configuration.maxPositions, cols: h)
        tokenTypeEmbeddings = try weights.matrix("embeddings.token_type_embeddings.weight", rows: configuration.typeVocabularySize, cols: h)
        embeddingNormGamma = try weights.floats("embeddings.LayerNorm.weight", shape: [h])
        embeddingNormBeta = try weights.floats("embeddings.LayerNorm.bias", shape: [h])
        layers = try (0..<configuration.layers).map { index in
            let p = "encoder.layer.\(index)."
            let q = try weights.floats(p + "attention.self.query.weight", shape: [h, h])
            let k = try weights.floats(p + "attention.self.key.weight", shape: [h, h])
            let v = try weights.floats(p + "attention.self.value.weight", shape: [h, h])
            let qb = try weights.floats(p + "attention.self.query.bias", shape: [h])
            let kb = try weights.floats(p + "attention.self.key.bias", shape: [h])
            let vb = try weights.floats(p + "attention.self.value.bias", shape: [h])
            return BertLayer(
                qkv: PackedWeights(Matrix(rows: 3 * h, cols: h, elements: q + k + v)),
                qkvBias: qb + kb + vb,
                attentionOutput: PackedWeights(try weights.matrix(p + "attention.output.dense.weight", rows: h, cols: h)),
                attentionOutputBias: try weights.floats(p + "attention.output.dense.bias", shape: [h]),
                attentionNormGamma: try weights.floats(p + "attention.output.LayerNorm.weight", shape: [h]),
                attentionNormBeta: try weights.floats(p + "attention.output.LayerNorm.bias", shape: [h]),
                intermediate: PackedWeights(try weights.matrix(p + "intermediate.dense.weight", rows: f, cols: h)),
                intermediateBias: try weights.floats(p + "intermediate.dense.bias", shape: [f]),
                output: PackedWeights(try weights.matrix(p + "output.dense.weight", rows: h, cols: f)),
                outputBias: try weights.floats(p + "output.dense.bias", shape: [h]),
                outputNormGamma: try weights.floats(p + "output.LayerNorm.weight", shape: [h]),
                outputNormBeta: try weights.floats(p + "output.LayerNorm.bias", shape: [h]))
        }
    }
}

/// A JSON object read from `path`, or an error naming the file.
func readJSONObject(_ path: String) throws -> [String: Any] {
    let data: Data
    do {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw TextEncoderError(.io, "cannot read: \(error.localizedDescription)", path: path)
    }
    guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
        throw TextEncoderError(.corrupt, "is not a JSON object", path: path)
    }
    return object
}
