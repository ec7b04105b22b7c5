import Foundation
public import NoisyCore
import StudyData

/// A safetensors file: named tensors with a dtype, a shape and a byte range.
///
/// Format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of JSON
/// `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`, then the
/// data; offsets are relative to the end of the header. Only `F32` tensors can be read as floats;
/// other dtypes (the model's `I64` position ids) are listed but not decoded.
public struct SafeTensors: Sendable {
    /// One tensor's entry in the header.
    public struct Entry: Sendable, Equatable {
        public let dtype: String
        public let shape: [Int]
        /// Byte range inside the data section.
        public let range: Range<Int>
    }

    /// The file the tensors were read from (for messages).
    public let path: String
    /// Every tensor of the header, by name.
    public let entries: [String: Entry]
    /// `__metadata__`, if present.
    public let metadata: [String: String]
    private let bytes: [UInt8]
    private let dataStart: Int

    /// Reads and checks the file at `path`: the header parses, every tensor's byte range lies in
    /// the data section and matches its dtype and shape.
    public init(path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch {
            throw TextEncoderError(.io, "cannot read the safetensors file: \(error)", path: path)
        }
        try self.init(bytes: bytes, path: path)
    }

    /// Parses safetensors `bytes`; `path` only names the source in errors.
    public init(bytes: [UInt8], path: String = "<memory>") throws {
        self.path = path
        guard bytes.count >= 8 else {
            throw TextEncoderError(.corrupt, "safetensors file of \(bytes.count) bytes has no 8-byte header length", path: path)
        }
        var headerLength = 0
        for i in 0..<8 { headerLength |= Int(bytes[i]) << (8 * i) }
        guard headerLength > 1, headerLength <= bytes.count - 8 else {
            throw TextEncoderError(.corrupt, "safetensors header length \(headerLength) does not fit the file of \(bytes.count) bytes", path: path)
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)]))
        } catch {
            throw TextEncoderError(.corrupt, "safetensors header is not JSON: \(error.localizedDescription)", path: path)
        }
        guard let header = json as? [String: Any] else {
            throw TextEncoderError(.corrupt, "safetensors header is not a JSON object", path: path)
        }
        let dataStart = 8 + headerLength
        let dataCount = bytes.count - dataStart
        var entries = [String: Entry]()
        var metadata = [String: String]()
        for (name, value) in header {
            if name == "__metadata__" {
                for (key, item) in (value as? [String: Any]) ?? [:] { metadata[key] = item as? String }
                continue
            }
            guard let fields = value as? [String: Any],
                  let dtype = fields["dtype"] as? String,
                  let shape = (fields["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (fields["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2, shape.count == (fields["shape"] as? [Any])?.count
            else {
                throw TextEncoderError(.corrupt, "tensor \(name) lacks dtype, shape or data_offsets in the safetensors header", path: path)
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataCount, shape.allSatisfy({ $0 >= 0 }) else {
                throw TextEncoderError(.corrupt, "tensor \(name) has data_offsets \(offsets) outside the data section of \(dataCount) bytes", path: path)
            }
            let elementSize: Int? = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1][dtype]
            if let elementSize {
                let expected = shape.reduce(1, *) * elementSize
                guard expected == offsets[1] - offsets[0] else {
                    throw TextEncoderError(.corrupt, "tensor \(name) of \(dtype) \(shape) needs \(expected) bytes but its data_offsets span \(offsets[1] - offsets[0])", path: path)
                }
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        self.entries = entries
        self.metadata = metadata
        self.bytes = bytes
        self.dataStart = dataStart
    }

    /// The `F32` tensor `name` as floats in row-major order, checked against `shape`.
    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        guard let entry = entries[name] else {
            throw TextEncoderError(.missing, "tensor \(name) is not in the file; is this the all-MiniLM-L6-v2 model?", path: path)
        }
        guard entry.dtype == "F32" else {
            throw TextEncoderError(.unsupported, "tensor \(name) is \(entry.dtype); only F32 weights are supported", path: path)
        }
        guard entry.shape == shape else {
            throw TextEncoderError(.unsupported, "tensor \(name) has shape \(entry.shape), expected \(shape)", path: path)
        }
        let count = entry.range.count / 4
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                let source = raw.baseAddress! + dataStart + entry.range.lowerBound
                for i in 0..<count {
                    buffer[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            }
            initialized = count
        }
    }

    /// The `F32` tensor `name` (shape rows × cols) as a matrix.
    public func matrix(_ name: String, rows: Int, cols: Int) throws -> Matrix {
        Matrix(rows: rows, cols: cols, elements: try floats(name, shape: [rows, cols]))
    }
}
