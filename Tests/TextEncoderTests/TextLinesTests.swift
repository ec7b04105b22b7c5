import Testing
import TextEncoder

@Suite("one text per line (nmsweep embed input)")
struct TextLinesTests {
    @Test("LF and CRLF lines, empty lines kept, no text after the final newline, BOM skipped")
    func lines() throws {
        #expect(try TextLines.decode(Array("a\nb\r\n\nc\n".utf8)) == ["a", "b", "", "c"])
        #expect(try TextLines.decode(Array("no newline".utf8)) == ["no newline"])
        #expect(try TextLines.decode([0xEF, 0xBB, 0xBF] + Array("x\n".utf8)) == ["x"])
        #expect(try TextLines.decode([]) == [])
        #expect(try TextLines.decode(Array("\n".utf8)) == [""])
        #expect(try TextLines.decode(Array("café 東京\n".utf8)) == ["café 東京"])
    }

    @Test("bytes that are not UTF-8 are refused naming the line and byte offset")
    func invalid() {
        let bytes = Array("ok\nbad ".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        #expect(throws: TextEncoderError(.invalidInput, "line 2 is not UTF-8 (bad byte 0xc3 at byte offset 7); convert the file to UTF-8 (e.g. iconv -t UTF-8)", path: "t.txt")) {
            try TextLines.decode(bytes, path: "t.txt")
        }
    }
}
