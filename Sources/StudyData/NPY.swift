public import NoisyCore

/// NumPy's `.npy` format (versions 1.0, 2.0, 3.0): feature matrices and label vectors.
///
/// A file is the magic `\x93NUMPY`, a version, a header length (2 bytes little-endian in 1.0,
/// 4 bytes in 2.0 and 3.0), a Python dict literal `{'descr': '<f4', 'fortran_order': False,
/// 'shape': (N, D), }` padded with spaces to a multiple of 64 bytes, then the raw elements.
/// Read: little-endian (`<`) or byte-order-free (`|`) `f4`, `f8`, `i1`, `u1`, `i2`, `u2`, `i4`,
/// `u4`, `i8`, `u8`, in C order. Big-endian data and Fortran order are refused with a clear
/// error, and the data must be exactly as long as the shape says.
public struct NPYArray: Sendable, Equatable {
    /// The element type.
    public enum DType: String, Sendable, CaseIterable {
        case float32 = "f4", float64 = "f8"
        case int8 = "i1", uint8 = "u1", int16 = "i2", uint16 = "u2"
        case int32 = "i4", uint32 = "u4", int64 = "i8", uint64 = "u8"

        /// Bytes per element.
        public var size: Int { Int(rawValue.dropFirst()) ?? 1 }
        /// Whether this is a floating-point type.
        public var isFloat: Bool { self == .float32 || self == .float64 }
    }

    /// The element type.
    public let dtype: DType
    /// The shape, outermost first.
    public let shape: [Int]
    /// The raw little-endian elements, C order.
    public let data: [UInt8]

    /// Number of elements (the product of the shape; 1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// Reads the NPY file at `path`.
    /// - Throws: ``DataError`` naming the file.
    public static func read(_ path: String) throws -> NPYArray {
        try DataError.withPath(path) { try decode(FileBytes.read(path, maxBytes: maxFileBytes)) }
    }

    /// The largest NPY file read (16 GiB): a bound before any allocation.
    public static let maxFileBytes = 16 << 30
    /// Labels are class indices below this: a bound on the classifier a file can ask for (a label
    /// of 10⁹ would otherwise ask for a 10⁹-way output layer).
    public static let maxClasses = 65_536

    /// Decodes NPY bytes.
    public static func decode(_ bytes: [UInt8]) throws -> NPYArray {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10 else {
            throw DataError(.truncated, "NPY data has \(bytes.count) bytes, fewer than its 10-byte preamble")
        }
        guard Array(bytes[0..<6]) == magic else { throw DataError(.corrupt, "not an NPY file: it does not start with \\x93NUMPY") }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw DataError(.truncated, "NPY \(major).0 preamble is cut short") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw DataError(.unsupported, "NPY format version \(major).\(bytes[7]) is not read (1.0, 2.0 and 3.0 are)")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw DataError(.truncated, "NPY header of \(headerLength) bytes runs past the end of the data (\(bytes.count) bytes)")
        }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let dict = try NPYHeader.parse(header)
        guard let descr = dict.descr else { throw DataError(.corrupt, "NPY header has no 'descr': \(header.trimmed)") }
        guard let fortranOrder = dict.fortranOrder else { throw DataError(.corrupt, "NPY header has no 'fortran_order': \(header.trimmed)") }
        guard let shape = dict.shape else { throw DataError(.corrupt, "NPY header has no 'shape': \(header.trimmed)") }
        guard !fortranOrder else {
            throw DataError(.unsupported, "NPY array is in Fortran order; save it in C order (numpy.ascontiguousarray) first")
        }
        let dtype = try parseDescr(descr)
        let count = try shape.reduce(1) { partial, d in
            let (p, overflow) = partial.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow, p <= 1 << 40 else { throw DataError(.corrupt, "NPY shape \(shape) is impossibly large") }
            return p
        }
        let dataStart = headerStart + headerLength
        let expected = count * dtype.size
        let available = bytes.count - dataStart
        guard available >= expected else {
            throw DataError(.truncated, "NPY shape \(shape) of \(descr) needs \(expected) bytes of data, the file has \(available)")
        }
        guard available == expected else {
            throw DataError(.corrupt, "NPY shape \(shape) of \(descr) needs \(expected) bytes of data, the file has \(available - expected) more")
        }
        return NPYArray(dtype: dtype, shape: shape, data: Array(bytes[dataStart...]))
    }

    private static func parseDescr(_ descr: String) throws -> DType {
        guard let order = descr.first, let dtype = DType(rawValue: String(descr.dropFirst())) else {
            throw DataError(.unsupported, "NPY element type '\(descr)' is not read (f4, f8 and integer types are)")
        }
        switch order {
        case "<", "|": return dtype
        case "=": return dtype  // native order; every platform nmsweep runs on is little-endian
        case ">":
            if dtype.size == 1 { return dtype }
            throw DataError(.unsupported, "NPY data is big-endian ('\(descr)'); save it little-endian (array.astype('<\(dtype.rawValue)')) first")
        default:
            throw DataError(.unsupported, "NPY element type '\(descr)' is not read")
        }
    }

    init(dtype: DType, shape: [Int], data: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    // MARK: Conversions

    /// The array as a feature matrix: float32 or float64, shape (N, D) (a 1-D shape (N,) is
    /// N × 1). float64 values are rounded to `Float`.
    /// - Throws: ``DataError`` `.wrongDtype` for integer data, `.shapeMismatch` for other ranks.
    public func matrix() throws -> Matrix {
        guard dtype.isFloat else {
            throw DataError(.wrongDtype, "NPY features must be float32 or float64, this array is \(dtype) (\(dtype.rawValue))")
        }
        let (rows, cols): (Int, Int)
        switch shape.count {
        case 1: (rows, cols) = (shape[0], 1)
        case 2: (rows, cols) = (shape[0], shape[1])
        default: throw DataError(.shapeMismatch, "NPY features must be 2-D (rows × features), this array has shape \(shape)")
        }
        var m = Matrix(rows: rows, cols: cols)
        data.withUnsafeBytes { raw in
            m.withUnsafeMutableBufferPointer { out in
                for i in 0..<out.count {
                    if dtype == .float32 {
                        out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    } else {
                        out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                    }
                }
            }
        }
        return m
    }

    /// The array as class labels: an integer type, shape (N,) or (N, 1), every value in
    /// 0..<`classBound` (default ``maxClasses``).
    /// - Throws: ``DataError`` `.wrongDtype` for float data, `.shapeMismatch` for other shapes,
    ///   `.corrupt` for a value outside 0..<`classBound` (naming its index and value).
    public func labels(classBound: Int = NPYArray.maxClasses) throws -> [Int] {
        guard !dtype.isFloat else {
            throw DataError(.wrongDtype, "NPY labels must be an integer type (int64, int32, uint8, …), this array is \(dtype) (\(dtype.rawValue))")
        }
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw DataError(.shapeMismatch, "NPY labels must be 1-D (or N × 1), this array has shape \(shape)")
        }
        let n = count
        return try data.withUnsafeBytes { raw in
            var out = [Int]()
            out.reserveCapacity(n)
            for i in 0..<n {
                let value: Int
                switch dtype {
                case .int8: value = Int(raw.load(fromByteOffset: i, as: Int8.self))
                case .uint8: value = Int(raw[i])
                case .int16: value = Int(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
                case .uint16: value = Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                case .int32: value = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                case .uint32: value = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                case .int64: value = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                case .uint64:
                    let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                    guard v <= UInt64(classBound) else {
                        throw DataError(.corrupt, "NPY label \(i) is \(v), outside the class indices 0..<\(classBound)")
                    }
                    value = Int(v)
                case .float32, .float64: value = 0  // excluded above
                }
                guard value >= 0, value < classBound else {
                    throw DataError(.corrupt, "NPY label \(i) is \(value), outside the class indices 0..<\(classBound)")
                }
                out.append(value)
            }
            return out
        }
    }

    // MARK: Writing

    /// NPY 1.0 bytes of `matrix` as float32, shape (rows, cols).
    public static func encode(_ matrix: Matrix) -> [UInt8] {
        var out = preamble(descr: "<f4", shape: [matrix.rows, matrix.cols])
        out.reserveCapacity(out.count + 4 * matrix.count)
        matrix.withUnsafeBufferPointer { values in
            #if _endian(little)
            out.append(contentsOf: UnsafeRawBufferPointer(values))
            #else
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
            #endif
        }
        return out
    }

    /// NPY 1.0 bytes of `labels` as int64, shape (N,).
    public static func encode(labels: [Int]) -> [UInt8] {
        var out = preamble(descr: "<i8", shape: [labels.count])
        out.reserveCapacity(out.count + 8 * labels.count)
        let wide = labels.map { Int64($0).littleEndian }
        wide.withUnsafeBytes { out.append(contentsOf: $0) }
        return out
    }

    /// Writes `matrix` to `path` as a float32 NPY file (atomically).
    public static func write(_ matrix: Matrix, to path: String) throws {
        try FileBytes.write(encode(matrix), to: path)
    }

    /// Writes `labels` to `path` as an int64 NPY file (atomically).
    public static func write(labels: [Int], to path: String) throws {
        try FileBytes.write(encode(labels: labels), to: path)
    }

    /// Magic, version 1.0 and the header dict, padded with spaces and a newline so the data
    /// starts at a multiple of 64 bytes (as numpy writes it).
    private static func preamble(descr: String, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = header.utf8.count
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
    }
}

/// The three keys of an NPY header dict, parsed from its Python literal.
struct NPYHeader {
    var descr: String?
    var fortranOrder: Bool?
    var shape: [Int]?

    /// Parses `{'key': value, ...}` where values are a quoted string, True/False or a tuple of
    /// integers. Unknown keys are an error (numpy writes exactly these three).
    static func parse(_ text: String) throws -> NPYHeader {
        var result = NPYHeader()
        var s = Substring(text)
        func fail(_ why: String) -> DataError {
            DataError(.corrupt, "NPY header is not a valid dict (\(why)): \(text.trimmed)")
        }
        func skipSpace() { while let c = s.first, c == " " || c == "\n" || c == "\t" || c == "\r" { s.removeFirst() } }
        func expect(_ c: Character) throws {
            skipSpace()
            guard s.first == c else { throw fail("expected '\(c)'") }
            s.removeFirst()
        }
        func quoted() throws -> String {
            skipSpace()
            guard let quote = s.first, quote == "'" || quote == "\"" else { throw fail("expected a quoted string") }
            s.removeFirst()
            guard let end = s.firstIndex(of: quote) else { throw fail("unterminated string") }
            let value = String(s[..<end])
            s = s[s.index(after: end)...]
            return value
        }
        try expect("{")
        while true {
            skipSpace()
            if s.first == "}" { s.removeFirst(); break }
            let key = try quoted()
            try expect(":")
            skipSpace()
            switch key {
            case "descr": result.descr = try quoted()
            case "fortran_order":
                if s.hasPrefix("True") { result.fortranOrder = true; s.removeFirst(4) }
                else if s.hasPrefix("False") { result.fortranOrder = false; s.removeFirst(5) }
                else { throw fail("fortran_order is neither True nor False") }
            case "shape":
                try expect("(")
                var dims = [Int]()
                while true {
                    skipSpace()
                    if s.first == ")" { s.removeFirst(); break }
                    let digits = s.prefix { $0.isASCII && $0.isNumber }
                    guard !digits.isEmpty, let d = Int(digits) else { throw fail("shape holds a non-integer") }
                    dims.append(d)
                    s.removeFirst(digits.count)
                    skipSpace()
                    if s.first == "," { s.removeFirst() }
                }
                result.shape = dims
            default:
                throw fail("unexpected key '\(key)'")
            }
            skipSpace()
            if s.first == "," { s.removeFirst() }
        }
        return result
    }
}

extension String {
    fileprivate var trimmed: String {
        var t = Substring(self)
        while let c = t.last, c == " " || c == "\n" { t.removeLast() }
        return String(t)
    }
}
