import NoisyCore
import StudyData
import StudyRunner
import Testing
import TextTasks

@Suite("WordNet data files")
struct WordNetTests {
    static let header = "  1 This software and database is being provided to you, the LICENSEE, by  \n"

    @Test("a gloss splits into its definition and quoted usage examples; a ';' inside the definition stays")
    func glossSplit() {
        let (definition, examples) = WordNet.splitGloss("a  unit; of measure; \"he ran a mile\"; \"it was a mile away\" - Thoreau  ")
        #expect(definition == "a unit; of measure")
        #expect(examples == ["he ran a mile", "it was a mile away"])
        let plain = WordNet.splitGloss("breathe easily again, as after exertion or anxiety  ")
        #expect(plain.definition == "breathe easily again, as after exertion or anxiety" && plain.examples.isEmpty)
        // An unterminated quote is not an example; an empty one is dropped.
        #expect(WordNet.splitGloss("x; \"\"; \"open").examples.isEmpty)
    }

    @Test("data lines parse to offset, lexicographer file and gloss; the licence header is skipped")
    func parseLines() throws {
        let text = Self.header + """
            00001740 29 v 04 breathe 0 take_a_breath 0 respire 0 suspire 3 021 * 00005041 v 0000 | draw air into, and expel out of, the lungs; "I can breathe better when the air is clean"; "The patient is respiring"  
            00002325 29 v 01 respire 1 005 $ 00001740 v 0000 | undergo the biomedical and metabolic processes of respiration  

            """
        let synsets = try WordNet.parse(Array(text.utf8), path: "data.verb")
        #expect(synsets.count == 2)
        #expect(synsets[0] == WordNetSynset(offset: 1740, lexicographerFile: 29, definition: "draw air into, and expel out of, the lungs",
                                            examples: ["I can breathe better when the air is clean", "The patient is respiring"]))
        #expect(WordNet.lexicographerFiles[synsets[1].lexicographerFile] == "verb.body")
    }

    @Test("a line that is not a synset fails with the file and line number")
    func badLine() {
        let text = Self.header + "00001740 29 v 01 breathe 0 000 | fine\n00002325 x9 v 01 respire 1 000 | bad file number\n"
        #expect {
            try WordNet.parse(Array(text.utf8), path: "data.verb")
        } throws: { error in
            let e = error as? DataError
            return e?.code == .corrupt && "\(error)".contains("data.verb") && "\(error)".contains("line 3")
        }
        #expect(throws: DataError.self) { try WordNet.parse(Array("00001740 29 v 01 breathe 0 000 no gloss\n".utf8)) }
    }

    @Test("the lexicographer table has WordNet 3.0's 45 files in number order")
    func lexnames() {
        #expect(WordNet.lexicographerFiles.count == 45)
        #expect(WordNet.lexicographerFiles[3] == "noun.Tops" && WordNet.lexicographerFiles[29] == "verb.body"
                && WordNet.lexicographerFiles[43] == "verb.weather" && WordNet.lexicographerFiles[44] == "adj.ppl")
    }
}
