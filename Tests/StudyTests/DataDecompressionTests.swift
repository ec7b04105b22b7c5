import NoisyCore
import Testing
import StudyData

/// The gzip, zlib and zip readers (the system's zlib and ZIPFoundation underneath) against streams
/// made by Python's zlib and zipfile and by the gzip tool.
@Suite struct DataDecompressionTests {
    /// zlib-wrapped DEFLATE of stdin at a level and strategy: level 0 gives stored blocks, Z_FIXED
    /// fixed Huffman blocks, the others dynamic blocks.
    static func pythonDeflate(_ input: [UInt8], level: Int, strategy: String = "zlib.Z_DEFAULT_STRATEGY") throws -> [UInt8] {
        try TestFiles.python(
            "import sys, zlib; c = zlib.compressobj(\(level), zlib.DEFLATED, 15, 9, \(strategy)); "
                + "sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read()) + c.flush())",
            input: input)
    }

    @Test(arguments: [
        (0, "zlib.Z_DEFAULT_STRATEGY"), (1, "zlib.Z_DEFAULT_STRATEGY"), (6, "zlib.Z_DEFAULT_STRATEGY"),
        (9, "zlib.Z_DEFAULT_STRATEGY"), (6, "zlib.Z_FIXED"), (6, "zlib.Z_HUFFMAN_ONLY"), (6, "zlib.Z_RLE"),
    ])
    func deflateRoundTrip(level: Int, strategy: String) throws {
        for (count, seed) in [(0, 1), (1, 2), (1000, 3), (200_000, 4)] as [(Int, UInt64)] {
            let original = TestFiles.compressibleBytes(count: count, seed: seed)
            let compressed = try Self.pythonDeflate(original, level: level, strategy: strategy)
            #expect(try Zlib.decompress(compressed) == original, "level \(level) \(strategy), \(count) bytes")
        }
    }

    @Test func gzipFromTheGzipToolWithFileNameAndConcatenatedMembers() throws {
        let first = TestFiles.compressibleBytes(count: 50_000, seed: 5)
        let second = TestFiles.compressibleBytes(count: 7_000, seed: 6)
        let directory = try TestFiles.directory()
        try FileBytes.write(first, to: directory + "/part.bin")
        // `gzip -c FILE` stores the file name (FNAME flag); two members concatenated are one file.
        let a = try TestFiles.runBytes(["gzip", "-9", "-c", directory + "/part.bin"])
        let b = try TestFiles.runBytes(["gzip", "-1", "-n"], input: second)
        #expect(a[3] & 0x08 != 0, "gzip -c FILE sets FNAME")
        #expect(try Gzip.decompress(a) == first)
        #expect(try Gzip.decompress(a + b) == first + second)
    }

    @Test func zlibFromPythonWithAdler32() throws {
        let original = TestFiles.compressibleBytes(count: 30_000, seed: 7)
        let compressed = try TestFiles.python("import sys, zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read(), 6))", input: original)
        #expect(try Zlib.decompress(compressed) == original)
        var damaged = compressed
        damaged[damaged.count - 1] ^= 1
        #expect(throws: DataError.self) { try Zlib.decompress(damaged) }
    }

    @Test func truncatedStreamsAreRejectedNotCrashed() throws {
        let original = TestFiles.compressibleBytes(count: 20_000, seed: 8)
        let gz = try TestFiles.runBytes(["gzip", "-6", "-n"], input: original)
        for cut in [1, 5, 10, 11, 20, gz.count / 2, gz.count - 9, gz.count - 8, gz.count - 1] {
            do {
                _ = try Gzip.decompress(Array(gz[..<cut]))
                Issue.record("a gzip stream cut to \(cut) of \(gz.count) bytes was accepted")
            } catch let error as DataError {
                #expect(error.code == .truncated || error.code == .corrupt, "cut \(cut): \(error)")
            }
        }
        let zlib = try Self.pythonDeflate(original, level: 6)
        for cut in [0, 1, 2, zlib.count / 3, zlib.count - 4, zlib.count - 1] {
            do {
                _ = try Zlib.decompress(Array(zlib[..<cut]))
                Issue.record("a zlib stream cut to \(cut) of \(zlib.count) bytes was accepted")
            } catch let error as DataError {
                #expect(error.code == .truncated, "cut \(cut): \(error)")
            }
        }
    }

    @Test func corruptedBytesNeverCrashAndChecksumsCatchThem() throws {
        let original = TestFiles.compressibleBytes(count: 20_000, seed: 9)
        let gz = try TestFiles.runBytes(["gzip", "-6", "-n"], input: original)
        var random = RandomStream(seed: 10)
        var rejected = 0
        for _ in 0..<200 {
            var damaged = gz
            let index = 10 + random.nextInt(below: gz.count - 10)
            damaged[index] ^= UInt8(1 << random.nextInt(below: 8))
            if (try? Gzip.decompress(damaged)) == nil { rejected += 1 }
        }
        // Every single-bit flip is caught: by the decoder, the CRC-32 or the size field.
        #expect(rejected == 200)
    }

    @Test func reservedBlockTypeAndBadStoredLengthAreCorrupt() {
        // zlib header 78 9c, then BFINAL=1, BTYPE=11 (reserved).
        do {
            _ = try Zlib.decompress([0x78, 0x9C, 0x07, 0x00, 0, 0, 0, 1])
            Issue.record("reserved block type accepted")
        } catch let error as DataError {
            #expect(error.code == .corrupt && error.message.contains("invalid block type"), "\(error)")
        } catch { Issue.record("unexpected \(error)") }
        // A stored block whose LEN and NLEN disagree.
        do {
            _ = try Zlib.decompress([0x78, 0x9C, 0x01, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 0, 0, 0, 1])
            Issue.record("bad stored length accepted")
        } catch let error as DataError {
            #expect(error.code == .corrupt)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func zipMembersOfAWheelLikeArchive() throws {
        let text = TestFiles.compressibleBytes(count: 40_000, seed: 12)
        let script = """
            import io, sys, zipfile
            data = sys.stdin.buffer.read()
            out = io.BytesIO()
            with zipfile.ZipFile(out, 'w') as z:
                z.writestr('pkg/__init__.py', b'')
                z.writestr(zipfile.ZipInfo('pkg/data/stored.bin'), data[:999])
                z.writestr('pkg/data/deflated.bin', data, compress_type=zipfile.ZIP_DEFLATED)
            sys.stdout.buffer.write(out.getvalue())
            """
        let archive = try ZipArchive(bytes: TestFiles.python(script, input: text))
        #expect(archive.memberNames == ["pkg/__init__.py", "pkg/data/stored.bin", "pkg/data/deflated.bin"])
        #expect(try archive.extract("pkg/data/deflated.bin") == text)
        #expect(try archive.extract("pkg/data/stored.bin") == Array(text[..<999]))
        #expect(try archive.extract("pkg/__init__.py") == [])
        #expect(throws: DataError.self) { try archive.extract("pkg/missing.csv") }
    }
}
