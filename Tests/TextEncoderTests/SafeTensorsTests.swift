import Foundation
import Testing
import TextEncoder

/// A safetensors file built in memory: the header JSON, then `data`.
func safetensors(header: String, data: [UInt8]) -> [UInt8] {
    let json = Array(header.utf8)
    var bytes = (0..<8).map { UInt8((json.count >> (8 * $0)) & 0xFF) }
    bytes += json + data
    return bytes
}

@Suite("safetensors reader")
struct SafeTensorsTests {
    @Test("reads F32 tensors little-endian in row-major order and keeps the metadata")
    func reads() throws {
        let values: [Float] = [1, -2.5, 3e-8, 65504, 0, .pi]
        let data = values.flatMap { v in (0..<4).map { UInt8((v.bitPattern >> (8 * $0)) & 0xFF) } }
        let file = safetensors(
            header: #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#, data: data)
        let tensors = try SafeTensors(bytes: file)
        #expect(tensors.metadata == ["format": "pt"])
        #expect(try tensors.floats("w", shape: [2, 3]) == values)
        let matrix = try tensors.matrix("w", rows: 2, cols: 3)
        #expect(matrix[1, 2] == .pi)
    }

    @Test("a wrong shape, dtype or name is an error that names the tensor")
    func wrongUse() throws {
        let file = safetensors(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"i":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}}"#,
                               data: [UInt8](repeating: 0, count: 16))
        let tensors = try SafeTensors(bytes: file, path: "m.safetensors")
        #expect(throws: TextEncoderError(.unsupported, "tensor w has shape [2], expected [3]", path: "m.safetensors")) {
            try tensors.floats("w", shape: [3])
        }
        #expect(throws: TextEncoderError(.unsupported, "tensor i is I64; only F32 weights are supported", path: "m.safetensors")) {
            try tensors.floats("i", shape: [1])
        }
        #expect(throws: TextEncoderError.self) { try tensors.floats("absent", shape: [1]) }
    }

    @Test("truncated or inconsistent files are refused as corrupt")
    func corrupt() {
        func code(_ bytes: [UInt8]) -> TextEncoderError.Code? {
            do { _ = try SafeTensors(bytes: bytes); return nil } catch let error as TextEncoderError { return error.code } catch { return nil }
        }
        #expect(code([1, 2, 3]) == .corrupt)
        #expect(code(safetensors(header: "{}", data: []).dropLast(1) + [0xFF]) == .corrupt)
        var huge = safetensors(header: "{}", data: [])
        huge[7] = 0x7F
        #expect(code(huge) == .corrupt)
        #expect(code(safetensors(header: "not json", data: [])) == .corrupt)
        #expect(code(safetensors(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: [0, 0, 0, 0])) == .corrupt)
        #expect(code(safetensors(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])) == .corrupt)
        #expect(code(safetensors(header: #"{"w":{"dtype":"F32","shape":[1]}}"#, data: [0, 0, 0, 0])) == .corrupt)
    }
}
