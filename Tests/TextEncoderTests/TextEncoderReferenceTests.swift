import Foundation
import NoisyCore
import Testing
import TextEncoder
import StudyData

/// The MiniLM files of the default data folder, when `nmsweep data fetch` has put them there.
enum MiniLMData {
    static let directory = DataCatalog.defaultDirectory()
    static let specs = DataCatalog.files.filter { $0.name.hasPrefix("all-MiniLM-L6-v2.") }
    static let available: Bool = !specs.isEmpty && (try? DataStore.verify(directory, files: specs)) != nil
    static let skipReason: Comment = "all-MiniLM-L6-v2 is not in the data folder: run `nmsweep data fetch`"
    /// Loaded once for the whole test run (about 0.3 s).
    static let encoder: TextEncoder? = try? TextEncoder(dataDirectory: directory)
}

/// The reference: texts, token ids and float32 embeddings from the real sentence-transformers
/// (scripts/encoder-reference.sh), committed next to this file.
struct ReferenceCase: Sendable {
    let text: String
    let ids: [Int32]
    let embedding: [Float]

    static let all: [ReferenceCase] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("minilm-reference.json").path
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = root["cases"] as? [[String: Any]]
        else { return [] }
        return cases.compactMap { item in
            guard let text = item["text"] as? String, let ids = item["ids"] as? [NSNumber],
                  let encoded = item["embedding_f32le_base64"] as? String, let bytes = Data(base64Encoded: encoded)
            else { return nil }
            let floats = bytes.withUnsafeBytes { raw in
                (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            return ReferenceCase(text: text, ids: ids.map(\.int32Value), embedding: floats)
        }
    }()
}

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        na += Double(x) * Double(x)
        nb += Double(y) * Double(y)
    }
    return dot / (na.squareRoot() * nb.squareRoot())
}

@Suite("all-MiniLM-L6-v2 equals sentence-transformers", .enabled(if: MiniLMData.available, MiniLMData.skipReason))
struct TextEncoderReferenceTests {
    @Test("the reference file holds the edge cases (40 texts: empty, truncated at 256, CJK, emoji, controls, special tokens)")
    func referenceFile() {
        let cases = ReferenceCase.all
        #expect(cases.count == 40)
        #expect(cases.contains { $0.text.isEmpty && $0.ids == [101, 102] })
        #expect(cases.filter { $0.ids.count == 256 }.count == 2)
        #expect(cases.allSatisfy { $0.embedding.count == 384 })
    }

    @Test("token ids equal the reference tokenizer's for every text")
    func tokenIDs() throws {
        let encoder = try #require(MiniLMData.encoder)
        for item in ReferenceCase.all {
            let ids = encoder.tokenizer.encode(item.text)
            #expect(ids == item.ids, "text \(item.text.debugDescription.prefix(80)): pieces \(encoder.tokenizer.tokens(item.text).prefix(40))")
        }
    }

    @Test("embeddings have cosine >= 0.9999 with the reference for every text, unit norm, on 1 and 2 threads bitwise alike")
    func embeddings() throws {
        let encoder = try #require(MiniLMData.encoder)
        let cases = ReferenceCase.all
        let one = encoder.encode(cases.map(\.text), threads: 1)
        let two = encoder.encode(cases.map(\.text), threads: 2)
        #expect(one == two)
        var worst = 1.0
        for (index, item) in cases.enumerated() {
            let row = one.row(index)
            let similarity = cosine(row, item.embedding)
            worst = min(worst, similarity)
            #expect(similarity >= 0.9999, "text \(item.text.debugDescription.prefix(80)): cosine \(similarity)")
            let norm = row.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
        print("worst cosine against sentence-transformers: \(worst)")
    }

    @Test("a text's embedding does not depend on the other texts of its batch")
    func batchIndependence() throws {
        let encoder = try #require(MiniLMData.encoder)
        let texts = ReferenceCase.all.map(\.text)
        let together = encoder.encode(texts)
        let alone = encoder.encode([texts[5]])
        #expect(together.row(5) == alone.row(0))
    }
}
