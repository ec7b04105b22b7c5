import Foundation

/// BERT's uncased WordPiece tokenizer, as a Hugging Face `tokenizer.json` defines it.
///
/// Reproduces the `tokenizers` pipeline of all-MiniLM-L6-v2 step by step (ids equal the reference
/// on the test set of `Tests/TextEncoderTests/minilm-reference.json`):
/// 1. Added special tokens (`[CLS]`, `[SEP]`, `[PAD]`, `[MASK]`, `[UNK]`, not normalised) are
///    matched in the raw text, leftmost-longest, and become their ids.
/// 2. The rest is normalised (`BertNormalizer`): control characters (Cc, Cf, Co, Cn except tab,
///    CR, LF) and U+0000/U+FFFD removed, white space mapped to a space; CJK ideographs surrounded
///    by spaces; accents stripped (NFD, then nonspacing marks dropped); lower-cased per scalar.
/// 3. Pre-tokenised (`BertPreTokenizer`): split on white space, every punctuation character
///    (ASCII punctuation or Unicode P*) a word of its own.
/// 4. WordPiece: greedy longest match from the left, continuations prefixed `##`; a word with no
///    full cover, or longer than `maxInputCharsPerWord` scalars, becomes `[UNK]`.
/// 5. Truncated to `maxLength - 2` pieces (longest-first for one sequence keeps the head), then
///    `[CLS] … [SEP]`.
///
/// Cost: O(characters × longest vocabulary entry) per text. Thread-safe (immutable).
public struct WordPieceTokenizer: Sendable {
    /// Token ids by vocabulary entry.
    public let vocabulary: [String: Int32]
    public let unknownID: Int32
    public let classID: Int32
    public let separatorID: Int32
    public let paddingID: Int32
    /// Most word pieces of one encoded text, `[CLS]` and `[SEP]` included.
    public let maxLength: Int
    /// Words longer than this (in Unicode scalars) become `[UNK]` whole.
    public let maxInputCharsPerWord: Int
    /// Prefix of a word piece that continues a word (`##`).
    public let continuingPrefix: String
    public let lowercase: Bool
    public let stripAccents: Bool
    public let cleanText: Bool
    public let handleChineseCharacters: Bool
    /// Special tokens matched in raw text before normalisation, longest first.
    let specialTokens: [(scalars: [Unicode.Scalar], id: Int32)]

    /// Reads a Hugging Face `tokenizer.json` (WordPiece model, BertNormalizer, BertPreTokenizer,
    /// `[CLS] $A [SEP]` template) and caps the length at `maxLength`.
    /// - Throws: ``TextEncoderError`` naming the file and the field that is missing or of another kind.
    public init(tokenizerJSON path: String, maxLength: Int) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile || error.code == .fileReadUnknown {
            throw TextEncoderError(.io, "cannot read the tokenizer: \(error.localizedDescription)", path: path)
        } catch {
            throw TextEncoderError(.corrupt, "tokenizer file is not JSON: \(error.localizedDescription)", path: path)
        }
        guard let root = object as? [String: Any] else {
            throw TextEncoderError(.corrupt, "tokenizer file is not a JSON object", path: path)
        }
        guard let model = root["model"] as? [String: Any], model["type"] as? String == "WordPiece",
              let vocab = model["vocab"] as? [String: Any]
        else {
            throw TextEncoderError(.unsupported, "model.type is not WordPiece with a vocab; only BERT WordPiece tokenizers are supported", path: path)
        }
        guard let normalizer = root["normalizer"] as? [String: Any], normalizer["type"] as? String == "BertNormalizer" else {
            throw TextEncoderError(.unsupported, "normalizer.type is not BertNormalizer", path: path)
        }
        guard (root["pre_tokenizer"] as? [String: Any])?["type"] as? String == "BertPreTokenizer" else {
            throw TextEncoderError(.unsupported, "pre_tokenizer.type is not BertPreTokenizer", path: path)
        }
        var vocabulary = [String: Int32](minimumCapacity: vocab.count)
        for (token, id) in vocab {
            guard let id = (id as? NSNumber)?.int32Value else {
                throw TextEncoderError(.corrupt, "vocabulary entry \(token) has no integer id", path: path)
            }
            vocabulary[token] = id
        }
        func id(of token: String) throws -> Int32 {
            guard let id = vocabulary[token] else {
                throw TextEncoderError(.missing, "the vocabulary has no \(token) token", path: path)
            }
            return id
        }
        let unknown = (model["unk_token"] as? String) ?? "[UNK]"
        var special = [(scalars: [Unicode.Scalar], id: Int32)]()
        for case let added as [String: Any] in (root["added_tokens"] as? [Any]) ?? [] {
            guard let content = added["content"] as? String, let tokenID = (added["id"] as? NSNumber)?.int32Value else { continue }
            // Normalised added tokens would be matched after normalisation; this model has none.
            guard added["normalized"] as? Bool == false else {
                throw TextEncoderError(.unsupported, "added token \(content) is normalized; only non-normalized added tokens are supported", path: path)
            }
            special.append((Array(content.unicodeScalars), tokenID))
        }
        special.sort { $0.scalars.count > $1.scalars.count }
        self.vocabulary = vocabulary
        self.unknownID = try id(of: unknown)
        self.classID = try id(of: "[CLS]")
        self.separatorID = try id(of: "[SEP]")
        self.paddingID = try id(of: "[PAD]")
        self.maxLength = maxLength
        self.maxInputCharsPerWord = (model["max_input_chars_per_word"] as? NSNumber)?.intValue ?? 100
        self.continuingPrefix = (model["continuing_subword_prefix"] as? String) ?? "##"
        self.lowercase = (normalizer["lowercase"] as? Bool) ?? true
        // `strip_accents: null` means "as lowercase" (BertNormalizer).
        self.stripAccents = (normalizer["strip_accents"] as? Bool) ?? lowercase
        self.cleanText = (normalizer["clean_text"] as? Bool) ?? true
        self.handleChineseCharacters = (normalizer["handle_chinese_chars"] as? Bool) ?? true
        self.specialTokens = special
        guard maxLength >= 2 else {
            throw TextEncoderError(.unsupported, "max length \(maxLength) leaves no room for [CLS] and [SEP]", path: path)
        }
    }

    /// The ids of `text`: `[CLS]`, at most `maxLength - 2` word pieces, `[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        var pieces = [Int32]()
        let limit = maxLength - 2
        for segment in splitOnSpecialTokens(Array(text.unicodeScalars)) {
            switch segment {
            case .special(let id): pieces.append(id)
            case .text(let scalars):
                for word in preTokenize(normalize(scalars)) {
                    wordPiece(word, into: &pieces)
                    if pieces.count >= limit { break }
                }
            }
            if pieces.count >= limit { break }
        }
        if pieces.count > limit { pieces.removeLast(pieces.count - limit) }
        return [classID] + pieces + [separatorID]
    }

    /// The word pieces of `text` as strings (for people and tests), without `[CLS]`/`[SEP]`.
    public func tokens(_ text: String) -> [String] {
        var names = [Int32: String](minimumCapacity: vocabulary.count)
        for (token, id) in vocabulary { names[id] = token }
        return encode(text).dropFirst().dropLast().map { names[$0] ?? "?" }
    }

    // MARK: Steps

    enum Segment { case special(Int32), text([Unicode.Scalar]) }

    /// Splits raw text at its special tokens (leftmost match, longest first at one position).
    func splitOnSpecialTokens(_ scalars: [Unicode.Scalar]) -> [Segment] {
        guard !specialTokens.isEmpty else { return [.text(scalars)] }
        var segments = [Segment]()
        var start = 0, i = 0
        scan: while i < scalars.count {
            if scalars[i] == "[" || specialTokens.contains(where: { $0.scalars.first == scalars[i] }) {
                for token in specialTokens where i + token.scalars.count <= scalars.count {
                    if scalars[i..<(i + token.scalars.count)].elementsEqual(token.scalars) {
                        if start < i { segments.append(.text(Array(scalars[start..<i]))) }
                        segments.append(.special(token.id))
                        i += token.scalars.count
                        start = i
                        continue scan
                    }
                }
            }
            i += 1
        }
        if start < scalars.count { segments.append(.text(Array(scalars[start..<scalars.count]))) }
        return segments
    }

    /// BertNormalizer: clean, pad CJK ideographs, strip accents, lower-case.
    func normalize(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var scalars = [Unicode.Scalar]()
        scalars.reserveCapacity(input.count)
        for scalar in input {
            if cleanText {
                if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
                if Self.isWhitespace(scalar) {
                    scalars.append(" ")
                    continue
                }
            }
            if handleChineseCharacters && Self.isChinese(scalar) {
                scalars.append(" ")
                scalars.append(scalar)
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        if stripAccents {
            var text = String(String.UnicodeScalarView(scalars))
            text = text.decomposedStringWithCanonicalMapping
            scalars = text.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
        }
        if lowercase {
            var lowered = [Unicode.Scalar]()
            lowered.reserveCapacity(scalars.count)
            for scalar in scalars {
                if scalar.isASCII {
                    lowered.append(scalar.value >= 65 && scalar.value <= 90 ? Unicode.Scalar(scalar.value + 32)! : scalar)
                } else {
                    lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                }
            }
            scalars = lowered
        }
        return scalars
    }

    /// BertPreTokenizer: words split at white space, each punctuation character a word.
    func preTokenize(_ scalars: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words = [ArraySlice<Unicode.Scalar>]()
        var start = -1
        for (i, scalar) in scalars.enumerated() {
            if scalar.properties.isWhitespace {
                if start >= 0 { words.append(scalars[start..<i]); start = -1 }
            } else if Self.isPunctuation(scalar) {
                if start >= 0 { words.append(scalars[start..<i]); start = -1 }
                words.append(scalars[i..<(i + 1)])
            } else if start < 0 {
                start = i
            }
        }
        if start >= 0 { words.append(scalars[start..<scalars.count]) }
        return words
    }

    /// WordPiece of one word, appended to `pieces`.
    func wordPiece(_ word: ArraySlice<Unicode.Scalar>, into pieces: inout [Int32]) {
        let word = Array(word)
        if word.count > maxInputCharsPerWord {
            pieces.append(unknownID)
            return
        }
        var found = [Int32]()
        var start = 0
        while start < word.count {
            var end = word.count
            var match: Int32?
            while start < end {
                var candidate = start > 0 ? continuingPrefix : ""
                candidate.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[candidate] {
                    match = id
                    break
                }
                end -= 1
            }
            guard let match else {
                pieces.append(unknownID)
                return
            }
            found.append(match)
            start = end
        }
        pieces.append(contentsOf: found)
    }

    // MARK: Character classes (as the `tokenizers` crate defines them)

    /// Tab, LF and CR count as white space; otherwise Unicode White_Space.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    /// Cc, Cf, Cn, Co — except tab, LF and CR (white space).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// ASCII punctuation (including `$+<=>^`|~`) or a Unicode punctuation category.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideograph blocks BERT pads with spaces.
    static func isChinese(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
