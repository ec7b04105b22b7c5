import Foundation
public import NoisyCore

/// What a model file says about the training behind its network.
public struct ModelMetadata: Codable, Hashable, Sendable {
    public var architecture: PretrainArchitecture
    /// The pre-training spec that produced the network.
    public var spec: PretrainSpec
    public var realisedNoise: Double
    public var sourceTestAccuracy: Double
    public var trainLoss: Double
    /// Of the training images whose label noise changed, the fraction the network classifies as
    /// the noisy label (memorisation) and as the clean one; nil without noise.
    public var memorisation: Double?
    public var corruptedCleanAccuracy: Double?

    public init(architecture: PretrainArchitecture, spec: PretrainSpec, realisedNoise: Double, sourceTestAccuracy: Double,
                trainLoss: Double, memorisation: Double? = nil, corruptedCleanAccuracy: Double? = nil) {
        self.architecture = architecture
        self.spec = spec
        self.realisedNoise = realisedNoise
        self.sourceTestAccuracy = sourceTestAccuracy
        self.trainLoss = trainLoss
        self.memorisation = memorisation
        self.corruptedCleanAccuracy = corruptedCleanAccuracy
    }
}

/// A decoded model file.
public struct DecodedModel {
    public let network: PretrainedNetwork
    public let metadata: ModelMetadata
    /// SHA-256 of the whole file (what ``CellResult/artifactSHA256`` names).
    public let fileSHA256: SHA256Digest
}

/// The on-disk format of a pre-trained network (version 1). All integers little-endian.
///
/// ```
/// offset 0   "NMSWMODL"                       8 bytes magic
///        8   format version                   u32 (= 1)
///        12  metadata length L                u32
///        16  metadata                         L bytes: canonical JSON (sorted keys) of ModelMetadata
///            tensor count T                   u32
///            T × { name length u16, name UTF-8, rows u32, cols u32, rows·cols float32 }
///    end−32  SHA-256 of every byte before it  32 bytes
/// ```
/// Tensors are stored in ``PretrainArchitecture/tensorShapes`` order; the decoder checks each
/// against the architecture. Decoding never traps: every fault is a ``ModelFileError``.
public enum ModelFile {
    public static let magic: [UInt8] = Array("NMSWMODL".utf8)
    public static let formatVersion: UInt32 = 1

    /// The file bytes of `network` with `metadata` (whose architecture must be the network's).
    public static func encode(network: PretrainedNetwork, metadata: ModelMetadata) -> [UInt8] {
        precondition(metadata.architecture == network.architecture, "ModelFile.encode: metadata architecture differs from the network's")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try! encoder.encode(metadata)  // plain Codable values: cannot fail
        var out = magic
        appendU32(formatVersion, &out)
        appendU32(UInt32(json.count), &out)
        out.append(contentsOf: json)
        let tensors = network.namedTensors
        appendU32(UInt32(tensors.count), &out)
        for (name, value) in tensors {
            let utf8 = Array(name.utf8)
            out.append(UInt8(utf8.count & 0xff)); out.append(UInt8(utf8.count >> 8))
            out.append(contentsOf: utf8)
            appendU32(UInt32(value.rows), &out)
            appendU32(UInt32(value.cols), &out)
            value.withUnsafeBufferPointer { floats in
                out.reserveCapacity(out.count + floats.count * 4)
                for f in floats { appendU32(f.bitPattern, &out) }
            }
        }
        out.append(contentsOf: SHA256.hash(out).bytes)
        return out
    }

    /// The network and metadata of a model file.
    /// - Throws: ``ModelFileError``: `.truncated`, `.badMagic`, `.unsupportedVersion`, `.hashMismatch`, `.invalidContent`.
    public static func decode(_ bytes: [UInt8]) throws(ModelFileError) -> DecodedModel {
        guard bytes.count >= 8 + 4 else { throw ModelFileError(.truncated, "\(bytes.count) bytes is too short for the header") }
        guard Array(bytes[0..<8]) == magic else { throw ModelFileError(.badMagic, "not an nmsweep model file (magic is not NMSWMODL)") }
        let version = readU32(bytes, 8)
        guard version == formatVersion else {
            throw ModelFileError(.unsupportedVersion, "format version \(version), this reader supports version \(formatVersion)")
        }
        guard bytes.count >= 16 + 4 + 32 else { throw ModelFileError(.truncated, "\(bytes.count) bytes is too short for a version-1 file") }
        let body = bytes.count - 32
        let stored = Array(bytes[body...])
        let actual = SHA256.hash(bytes[0..<body]).bytes
        guard stored == actual else {
            throw ModelFileError(.hashMismatch, "SHA-256 of the content is \(SHA256Digest(bytes: actual).hex) but the file records \(SHA256Digest(bytes: stored).hex): the file is corrupted or truncated")
        }
        var cursor = 12
        func need(_ n: Int, _ what: String) throws(ModelFileError) {
            guard n >= 0, cursor <= body, n <= body - cursor else { throw ModelFileError(.truncated, "\(what) runs past the end of the content (offset \(cursor))") }
        }
        try need(4, "metadata length")
        let jsonLength = Int(readU32(bytes, cursor)); cursor += 4
        try need(jsonLength, "metadata")
        let metadata: ModelMetadata
        do {
            metadata = try JSONDecoder().decode(ModelMetadata.self, from: Data(bytes[cursor..<cursor + jsonLength]))
        } catch {
            throw ModelFileError(.invalidContent, "metadata is not valid: \(error)")
        }
        cursor += jsonLength
        if let problem = metadata.architecture.problem { throw ModelFileError(.invalidContent, "architecture: \(problem)") }
        try need(4, "tensor count")
        let tensorCount = Int(readU32(bytes, cursor)); cursor += 4
        var tensors: [String: Matrix] = [:]
        for index in 0..<tensorCount {
            try need(2, "tensor \(index) name length")
            let nameLength = Int(bytes[cursor]) | Int(bytes[cursor + 1]) << 8; cursor += 2
            try need(nameLength, "tensor \(index) name")
            let name = String(decoding: bytes[cursor..<cursor + nameLength], as: UTF8.self); cursor += nameLength
            try need(8, "tensor \(name) shape")
            let rows = Int(readU32(bytes, cursor)), cols = Int(readU32(bytes, cursor + 4)); cursor += 8
            guard let expected = metadata.architecture.tensorShapes.first(where: { $0.name == name }) else {
                throw ModelFileError(.invalidContent, "tensor \(name) is not part of the architecture")
            }
            guard expected.rows == rows, expected.cols == cols else {
                throw ModelFileError(.invalidContent, "tensor \(name) is \(rows)×\(cols), the architecture needs \(expected.rows)×\(expected.cols)")
            }
            try need(rows * cols * 4, "tensor \(name) data")
            var m = Matrix(rows: rows, cols: cols)
            let start = cursor
            m.withUnsafeMutableBufferPointer { out in
                for i in 0..<out.count { out[i] = Float(bitPattern: readU32(bytes, start + 4 * i)) }
            }
            cursor += rows * cols * 4
            tensors[name] = m
        }
        guard cursor == body else { throw ModelFileError(.invalidContent, "\(body - cursor) unexpected bytes after the tensors") }
        if let problem = PretrainedNetwork.tensorProblem(tensors, architecture: metadata.architecture) {
            throw ModelFileError(.invalidContent, problem)
        }
        let network = PretrainedNetwork(architecture: metadata.architecture, tensors: tensors)
        return DecodedModel(network: network, metadata: metadata, fileSHA256: SHA256.hash(bytes))
    }

    @inline(__always) static func appendU32(_ v: UInt32, _ out: inout [UInt8]) {
        out.append(UInt8(v & 0xff)); out.append(UInt8((v >> 8) & 0xff))
        out.append(UInt8((v >> 16) & 0xff)); out.append(UInt8(v >> 24))
    }

    @inline(__always) static func readU32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}
