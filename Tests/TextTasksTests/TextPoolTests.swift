import Foundation
import NoisyCore
import StudyData
import StudyRunner
import Testing
import TextTasks

/// The WordNet files of the data folder, when `nmsweep data fetch` has put them there.
enum WordNetData {
    static let directory = DataCatalog.defaultDirectory()
    static func path(_ part: WordNetPart) -> String { directory + "/" + part.fileName }
    static let available = WordNetPart.allCases.allSatisfy { FileManager.default.fileExists(atPath: path($0)) }
    static let skipReason: Comment = "WordNet is not in the data folder: run `nmsweep data fetch`"
}

@Suite("Text task pools", .enabled(if: WordNetData.available, WordNetData.skipReason))
struct TextPoolTests {
    static let verbs: [WordNetSynset] = (try? WordNet.read(WordNetData.path(.verb))) ?? []
    static let nouns: [WordNetSynset] = (try? WordNet.read(WordNetData.path(.noun))) ?? []

    @Test("the pinned files hold WordNet 3.0's 82,115 noun and 13,767 verb synsets")
    func counts() {
        #expect(Self.nouns.count == 82_115)
        #expect(Self.verbs.count == 13_767)
    }

    @Test("a pool has the part's classes, n synsets each, and no text twice")
    func poolRules() throws {
        for (part, synsets) in [(WordNetPart.noun, Self.nouns), (.verb, Self.verbs)] {
            let pool = try TextPool(synsets: synsets, part: part, textsPerClass: 80)
            #expect(pool.classCount == part.classCount)
            #expect(pool.definitions.count == 80 * part.classCount && pool.examples.count == pool.definitions.count)
            let all = (pool.definitions + pool.examples).map { $0.lowercased() }
            #expect(Set(all).count == all.count, "every text of a pool is distinct")
            #expect(!all.contains(""))
            #expect(!pool.classNames.contains("noun.Tops"))
            #expect(pool.classNames.allSatisfy { $0.hasPrefix(part.rawValue + ".") })
            // Every row's class is its synset's lexicographer file.
            let byOffset = Dictionary(synsets.map { ($0.offset, $0) }, uniquingKeysWith: { a, _ in a })
            for i in stride(from: 0, to: pool.offsets.count, by: 37) {
                let synset = try #require(byOffset[pool.offsets[i]])
                #expect(WordNet.lexicographerFiles[synset.lexicographerFile] == pool.classNames[pool.label(i)])
                #expect(synset.definition == pool.definitions[i] && synset.examples.first == pool.examples[i])
            }
        }
        #expect(try TextPool(synsets: Self.verbs, part: .verb, textsPerClass: 14).classNames
            == ["verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition", "verb.consumption",
                "verb.contact", "verb.creation", "verb.emotion", "verb.motion", "verb.perception", "verb.possession",
                "verb.social", "verb.stative"])
    }

    @Test("the pool does not depend on any seed; a smaller pool is a prefix of each class's order")
    func poolDeterminism() throws {
        let a = try TextPool(synsets: Self.verbs, part: .verb, textsPerClass: 20)
        let b = try TextPool(synsets: Self.verbs, part: .verb, textsPerClass: 20)
        #expect(a.offsets == b.offsets)
        let small = try TextPool(synsets: Self.verbs, part: .verb, textsPerClass: 10)
        for c in 0..<small.classCount {
            #expect(Array(small.offsets[(c * 10)..<(c * 10 + 10)]) == Array(a.offsets[(c * 20)..<(c * 20 + 10)]))
        }
    }

    @Test("too many texts per class names the smallest class and the ceiling")
    func ceiling() throws {
        let maximum = try TextPool.maximumTextsPerClass(synsets: Self.nouns, part: .noun)
        let verbs = try TextPool.maximumTextsPerClass(synsets: Self.verbs, part: .verb)
        print("largest texts_per_class: nouns \(maximum), verbs \(verbs)")
        #expect(maximum >= 80 && verbs >= 80)
        #expect(throws: Never.self) { try TextPool(synsets: Self.nouns, part: .noun, textsPerClass: maximum) }
        #expect {
            try TextPool(synsets: Self.nouns, part: .noun, textsPerClass: maximum + 1)
        } throws: { "\($0)".contains("use at most \(maximum)") }
    }

    @Test("splits are stratified, disjoint, cover the pool and follow the probe seed")
    func splits() throws {
        let pool = try TextPool(synsets: Self.verbs, part: .verb, textsPerClass: 9)
        let (train, test) = pool.split(probeSeed: 3)
        #expect(train.count == 5 * 14 && test.count == 4 * 14)
        #expect(Set(train).isDisjoint(with: test) && Set(train + test) == Set(0..<(9 * 14)))
        for c in 0..<14 { #expect(train.filter { pool.label($0) == c }.count == 5) }
        #expect(pool.split(probeSeed: 3).train == train)
        #expect(pool.split(probeSeed: 4).train != train)
    }
}
