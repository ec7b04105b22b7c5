import NoisyCore
import Testing
import StudyData

@Suite struct DataReaderTests {
    // MARK: IDX

    static let idxImages = try! IDXArray(dimensions: [3, 2, 4], values: (0..<24).map { UInt8($0 * 10) })

    @Test func idxRoundTripPlainAndGzipped() throws {
        let bytes = Self.idxImages.encoded()
        #expect(Array(bytes[0..<4]) == [0, 0, 8, 3])
        #expect(Array(bytes[4..<8]) == [0, 0, 0, 3], "dimensions are big-endian")
        let plain = try TestFiles.write(bytes, name: "images-idx3-ubyte")
        #expect(try IDXArray.read(plain) == Self.idxImages)
        let gz = try TestFiles.write(TestFiles.runBytes(["gzip", "-n"], input: bytes), name: "images-idx3-ubyte.gz")
        #expect(try IDXArray.read(gz) == Self.idxImages)
    }

    @Test func idxTruncatedTrailingAndWrongTypeAreNamedErrors() throws {
        let bytes = Self.idxImages.encoded()
        let truncated = try TestFiles.write(Array(bytes.dropLast(5)), name: "cut-idx3-ubyte")
        #expect(throws: DataError(.truncated, "IDX dimensions [3, 2, 4] need 24 bytes of data, the file has 19", path: truncated)) {
            try IDXArray.read(truncated)
        }
        let headerCut = try TestFiles.write(Array(bytes[..<10]), name: "header-idx3-ubyte")
        #expect(throws: DataError(.truncated, "IDX header declares 3 dimensions but the data ends after 10 bytes", path: headerCut)) {
            try IDXArray.read(headerCut)
        }
        let trailing = try TestFiles.write(bytes + [1], name: "long-idx3-ubyte")
        #expect(throws: DataError(.corrupt, "IDX dimensions [3, 2, 4] need 24 bytes of data, the file has 1 more", path: trailing)) {
            try IDXArray.read(trailing)
        }
        var floats = bytes
        floats[2] = 0x0D
        let wrongType = try TestFiles.write(floats, name: "float-idx3")
        #expect(throws: DataError(.unsupported, "IDX element type 0d is not read (only 08, unsigned byte)", path: wrongType)) {
            try IDXArray.read(wrongType)
        }
        let missing = "/nonexistent/nmsweep/file.idx"
        #expect(throws: DataError(.io, "cannot open: No such file or directory", path: missing)) { try IDXArray.read(missing) }
    }

    // MARK: NPY

    @Test func npyMatrixAndLabelsRoundTrip() throws {
        let m = Matrix(rows: 3, cols: 5) { r, c in Float(r) - 0.25 * Float(c) }
        let directory = try TestFiles.directory()
        try NPYArray.write(m, to: directory + "/x.npy")
        try NPYArray.write(labels: [2, 0, 1], to: directory + "/y.npy")
        let bytes = try FileBytes.read(directory + "/x.npy")
        #expect((10 + Int(bytes[8]) | Int(bytes[9]) << 8) % 64 == 0, "data starts 64-byte aligned as numpy writes it")
        let x = try NPYArray.read(directory + "/x.npy")
        #expect(x.dtype == .float32 && x.shape == [3, 5])
        #expect(try x.matrix() == m)
        #expect(try NPYArray.read(directory + "/y.npy").labels() == [2, 0, 1])
    }

    /// Hand-built NPY bytes of any version, descr, order and shape.
    static func npy(version: UInt8 = 1, descr: String, fortran: Bool = false, shape: String, data: [UInt8]) -> [UInt8] {
        let header = Array("{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }\n".utf8)
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        if version == 1 {
            out += [UInt8(header.count & 0xFF), UInt8(header.count >> 8)]
        } else {
            out += [UInt8(header.count & 0xFF), UInt8(header.count >> 8), 0, 0]
        }
        return out + header + data
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }

    @Test func npyVersionsAndIntegerAndFloat64Types() throws {
        let doubles = Self.littleEndianBytes([1.5, -2.0, 3.25, 0.5].map { $0.bitPattern })
        for version in [UInt8(1), 2, 3] {
            let array = try NPYArray.decode(Self.npy(version: version, descr: "<f8", shape: "(2, 2)", data: doubles))
            #expect(try array.matrix() == Matrix(rows: 2, cols: 2, elements: [1.5, -2, 3.25, 0.5]), "version \(version)")
        }
        #expect(try NPYArray.decode(Self.npy(descr: "|u1", shape: "(3,)", data: [7, 0, 255])).labels() == [7, 0, 255])
        #expect(try NPYArray.decode(Self.npy(descr: "<i4", shape: "(2,)", data: Self.littleEndianBytes([Int32(9), 65_535]))).labels() == [9, 65_535])
        // Labels are class indices: a negative one, or one past the class bound, is refused as it is read
        // (issue 14: 2^63-1 overflowed and 10^9 asked for a 32 GB layer).
        for (descr, data) in [("<i4", Self.littleEndianBytes([Int32(9), -1])), ("<i8", Self.littleEndianBytes([Int64(1), Int64.max])),
                              ("<u8", Self.littleEndianBytes([UInt64(0), 1_000_000_000]))] {
            let array = try NPYArray.decode(Self.npy(descr: descr, shape: "(2,)", data: data))
            #expect(throws: DataError.self) { try array.labels() }
        }
        #expect(throws: DataError(.corrupt, "NPY label 1 is -1, outside the class indices 0..<65536")) {
            try NPYArray.decode(Self.npy(descr: "<i4", shape: "(2,)", data: Self.littleEndianBytes([Int32(9), -1]))).labels()
        }
        #expect(try NPYArray.decode(Self.npy(descr: "<i8", shape: "(2, 1)", data: Self.littleEndianBytes([Int64(4), 5]))).labels() == [4, 5])
    }

    @Test func npyRejectsWrongDtypesOrdersAndLengthsWithTheDocumentedError() throws {
        let floats = Self.littleEndianBytes([Float(1), 2, 3, 4].map { $0.bitPattern })
        let asLabels = try NPYArray.decode(Self.npy(descr: "<f4", shape: "(4,)", data: floats))
        #expect(throws: DataError(.wrongDtype, "NPY labels must be an integer type (int64, int32, uint8, …), this array is float32 (f4)")) {
            try asLabels.labels()
        }
        let ints = try NPYArray.decode(Self.npy(descr: "<i8", shape: "(2, 1)", data: Self.littleEndianBytes([Int64(1), 2])))
        #expect(throws: DataError(.wrongDtype, "NPY features must be float32 or float64, this array is int64 (i8)")) { try ints.matrix() }
        #expect(throws: DataError(.unsupported, "NPY array is in Fortran order; save it in C order (numpy.ascontiguousarray) first")) {
            try NPYArray.decode(Self.npy(descr: "<f4", fortran: true, shape: "(2, 2)", data: floats))
        }
        #expect(throws: DataError(.unsupported, "NPY data is big-endian ('>f4'); save it little-endian (array.astype('<f4')) first")) {
            try NPYArray.decode(Self.npy(descr: ">f4", shape: "(2, 2)", data: floats))
        }
        #expect(throws: DataError(.unsupported, "NPY element type '<c8' is not read (f4, f8 and integer types are)")) {
            try NPYArray.decode(Self.npy(descr: "<c8", shape: "(2,)", data: floats))
        }
        let truncated = try TestFiles.write(Self.npy(descr: "<f4", shape: "(2, 3)", data: floats), name: "cut.npy")
        #expect(throws: DataError(.truncated, "NPY shape [2, 3] of <f4 needs 24 bytes of data, the file has 16", path: truncated)) {
            try NPYArray.read(truncated)
        }
        let preambleOnly = try TestFiles.write(Array(Self.npy(descr: "<f4", shape: "(2, 2)", data: floats)[..<30]), name: "head.npy")
        #expect(throws: DataError.self) { try NPYArray.read(preambleOnly) }
        #expect(throws: DataError(.corrupt, "not an NPY file: it does not start with \\x93NUMPY")) {
            try NPYArray.decode(Array("just some text file".utf8))
        }
        #expect(throws: DataError.self) { try NPYArray.decode(Self.npy(descr: "<f4", shape: "(2, x)", data: floats)) }
    }

    // MARK: CSV

    @Test func csvWithHeaderGzipAndCRLF() throws {
        let text = "a, b ,c\r\n1,2.5,-3\r\n\r\n4,5e-1, 6\r\n"
        let table = try CSV.decode(Array(text.utf8))
        #expect(table.header == ["a", "b", "c"])
        #expect(table.values == Matrix(rows: 2, cols: 3, elements: [1, 2.5, -3, 4, 0.5, 6]))
        let gz = try TestFiles.write(TestFiles.runBytes(["gzip", "-n"], input: Array("1,2\n3,4\n".utf8)), name: "t.csv.gz")
        let read = try CSV.read(gz)
        #expect(read.header == nil && read.values == Matrix(rows: 2, cols: 2, elements: [1, 2, 3, 4]))
    }

    @Test func csvBadFieldsAndRaggedLinesNameTheLine() throws {
        let path = try TestFiles.write(Array("1,2,3\n4,x5,6\n".utf8), name: "bad.csv")
        #expect(throws: DataError(.corrupt, "CSV line 2, column 2: \"x5\" is not a number", path: path)) { try CSV.read(path) }
        #expect(throws: DataError(.shapeMismatch, "CSV line 3 has 2 fields, the first line has 3")) {
            try CSV.decode(Array("1,2,3\n4,5,6\n7,8\n".utf8))
        }
        #expect(throws: DataError(.truncated, "CSV data has no data lines")) { try CSV.decode(Array("\n\n".utf8)) }
        #expect(throws: DataError.self) { try CSV.decode(Array("1,2\n".utf8), header: .present) }
    }
}
