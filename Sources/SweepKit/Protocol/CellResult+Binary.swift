public import NoisyCore

/// The compact binary form of a ``NoisyCore/CellResult`` inside a result message.
///
/// Layout: accuracy f64; presence u16 (bit 0 sve, 1 lsvr, 2 tunedSVE, 3 tunedLSVR, 4 trainLoss,
/// 5 lossTerms, 6 realisedNoise, 7 artifactSHA256; bits 8–15 zero); each present field in bit
/// order (f64; lossTerms = crossEntropy, consistency, singular, covariance as 4 × f64;
/// artifactSHA256 = text ≤ 128); timings: count u32 ≤ 64, then per phase, sorted by name,
/// name (text ≤ 64) and seconds f64. Doubles travel as bit patterns: NaN and -0 survive.
extension CellResult {
    private static let knownPresenceBits: UInt16 = 0x00FF

    /// Appends the result's fields.
    public func encode(to writer: inout BinaryWriter) throws(ProtocolError) {
        writer.write(accuracy)
        var presence: UInt16 = 0
        if sve != nil { presence |= 1 << 0 }
        if lsvr != nil { presence |= 1 << 1 }
        if tunedSVE != nil { presence |= 1 << 2 }
        if tunedLSVR != nil { presence |= 1 << 3 }
        if trainLoss != nil { presence |= 1 << 4 }
        if lossTerms != nil { presence |= 1 << 5 }
        if realisedNoise != nil { presence |= 1 << 6 }
        if artifactSHA256 != nil { presence |= 1 << 7 }
        writer.write(presence)
        if let sve { writer.write(sve) }
        if let lsvr { writer.write(lsvr) }
        if let tunedSVE { writer.write(tunedSVE) }
        if let tunedLSVR { writer.write(tunedLSVR) }
        if let trainLoss { writer.write(trainLoss) }
        if let lossTerms {
            writer.write(lossTerms.crossEntropy)
            writer.write(lossTerms.consistency)
            writer.write(lossTerms.singular)
            writer.write(lossTerms.covariance)
        }
        if let realisedNoise { writer.write(realisedNoise) }
        if let artifactSHA256 {
            try writer.write(text: artifactSHA256, field: "result.artifactSHA256", limit: WireFormat.maxDigestTextBytes)
        }
        try writer.write(count: timings.count, field: "result.timings", limit: WireFormat.maxTimings)
        // Sorted, so equal results encode to equal bytes.
        for (name, seconds) in timings.sorted(by: { $0.key < $1.key }) {
            try writer.write(text: name, field: "result.timings[].name", limit: WireFormat.maxNameBytes)
            writer.write(seconds)
        }
    }

    /// Reads a result written by ``encode(to:)``.
    public init(from reader: inout BinaryReader) throws(ProtocolError) {
        let accuracy = try reader.readDouble("result.accuracy")
        let presence = try reader.readUInt16("result.presence")
        guard presence & ~Self.knownPresenceBits == 0 else {
            throw .invalidValue(field: "result.presence", reason: "unknown field bits 0x\(String(presence, radix: 16))")
        }
        let sve = presence & (1 << 0) != 0 ? try reader.readDouble("result.sve") : nil
        let lsvr = presence & (1 << 1) != 0 ? try reader.readDouble("result.lsvr") : nil
        let tunedSVE = presence & (1 << 2) != 0 ? try reader.readDouble("result.tunedSVE") : nil
        let tunedLSVR = presence & (1 << 3) != 0 ? try reader.readDouble("result.tunedLSVR") : nil
        let trainLoss = presence & (1 << 4) != 0 ? try reader.readDouble("result.trainLoss") : nil
        var lossTerms: LossTerms?
        if presence & (1 << 5) != 0 {
            lossTerms = LossTerms(
                crossEntropy: try reader.readDouble("result.lossTerms"), consistency: try reader.readDouble("result.lossTerms"),
                singular: try reader.readDouble("result.lossTerms"), covariance: try reader.readDouble("result.lossTerms"))
        }
        let realisedNoise = presence & (1 << 6) != 0 ? try reader.readDouble("result.realisedNoise") : nil
        let artifact = presence & (1 << 7) != 0
            ? try reader.readText("result.artifactSHA256", limit: WireFormat.maxDigestTextBytes) : nil
        let count = try reader.readCount("result.timings", limit: WireFormat.maxTimings, minimumElementBytes: 12)
        var timings: [String: Double] = [:]
        timings.reserveCapacity(count)
        for _ in 0..<count {
            let name = try reader.readText("result.timings[].name", limit: WireFormat.maxNameBytes)
            let seconds = try reader.readDouble("result.timings[].seconds")
            guard timings.updateValue(seconds, forKey: name) == nil else {
                throw .invalidValue(field: "result.timings", reason: "phase \"\(name)\" appears twice")
            }
        }
        self.init(accuracy: accuracy, sve: sve, lsvr: lsvr, tunedSVE: tunedSVE,
                  tunedLSVR: tunedLSVR, trainLoss: trainLoss, lossTerms: lossTerms,
                  realisedNoise: realisedNoise, artifactSHA256: artifact, timings: timings)
    }
}
