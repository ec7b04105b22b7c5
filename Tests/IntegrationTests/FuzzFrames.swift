import NoisyCore
import SweepKit

/// Seeded bad (and some valid) frames for the coordinator's socket, and what the coordinator
/// must do with each: count it as bad, answer `reregister` (a valid worker message from a peer
/// that never sent ready), or nothing (a shutdown from a stranger).
///
/// Frames are built with ``WireMessage``'s encoder and then mutated, so most get past the first
/// header checks and fail deeper; each is classified by decoding it here with the same decoder.
struct FuzzFrames {
    var random: RandomStream
    /// Cells of the running sweep (for forged results and failures).
    let realCells: [CellKey]

    /// What the coordinator does with one message from an unregistered peer.
    enum Expectation: Equatable {
        case bad
        case reregister
        case ignored
    }

    init(seed: UInt64, realCells: [CellKey]) {
        random = RandomStream(seed: seed)
        self.realCells = realCells
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + random.nextInt(below: range.count) }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
    mutating func key() -> CellKey { CellKey(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()) }
    mutating func digest() -> ArtifactDigest { ArtifactDigest(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()) }
    mutating func cell() -> CellKey {
        // Half real cells (forgeries), half unknown ones.
        realCells.isEmpty || random.next() & 1 == 0 ? key() : realCells[random.nextInt(below: realCells.count)]
    }

    mutating func result() -> CellResult {
        CellResult(accuracy: random.nextDouble(), sve: random.nextDouble(), lsvr: random.nextDouble(),
                   trainLoss: -1, artifactSHA256: random.next() & 1 == 0 ? digest().hex : nil, timings: ["noop": 0.5])
    }

    /// A whole artifact of up to 200 bytes in one chunk.
    mutating func smallChunk() -> Wire.ArtifactChunk {
        let size = int(0...200)
        return Wire.ArtifactChunk(digest: digest(), totalBytes: UInt64(size), index: 0, count: 1, bytes: bytes(size))
    }

    /// A valid message of `kind` (any direction), with forged fields.
    mutating func message(_ kind: MessageKind) -> WireMessage {
        switch kind {
        case .ready:
            .ready(Wire.Ready(worker: WorkerID("fuzz"), incarnation: random.next(), pid: random.next32(), slots: UInt32(int(1...1024)),
                              softwareVersion: "fuzz", host: "fuzz-host"))
        case .welcome: .welcome(Wire.Welcome(session: random.next(), heartbeatIntervalMilliseconds: 100, liveness: 3))
        case .heartbeat: .heartbeat
        case .credit: .credit(Wire.Credit(slots: UInt32(int(1...1024))))
        case .assign:
            .assign([Wire.Assign(cell: cell(), attempt: 1, lease: random.next(), leaseMilliseconds: 1000,
                                specJSON: Array("{\"noop\":{\"index\":1}}".utf8))])
        case .result:
            .result([Wire.ResultReport(cell: cell(), lease: random.next(), attempt: UInt32(int(1...3)), result: result())])
        case .ack: .ack(Wire.Ack(cells: (0..<int(1...4)).map { _ in cell() }))
        case .failure:
            .failure(Wire.FailureReport(cell: cell(), lease: random.next(), attempt: 1, reason: Wire.FailureReason(rawValue: UInt16(int(1...8))),
                                        retryable: random.next() & 1 == 0, message: "forged failure"))
        case .cancel: .cancel(Wire.Cancel(cell: cell(), lease: random.next()))
        case .artifactRequest: .artifactRequest(Wire.ArtifactRequest(digest: digest()))
        case .artifact: .artifact(smallChunk())
        case .artifactUpload: .artifactUpload(smallChunk())
        case .artifactUnavailable: .artifactUnavailable(Wire.ArtifactUnavailable(digest: digest(), reason: "forged"))
        case .drain: .drain(Wire.Drain(graceMilliseconds: random.next32()))
        case .shutdown: .shutdown(Wire.Shutdown(reason: "forged"))
        case .reregister: .reregister(Wire.Reregister(session: random.next()))
        case .accepted: .accepted(Wire.Accepted(leases: (0..<int(1...4)).map { _ in random.next() }))
        case .artifactFetch: .artifactFetch(Wire.ArtifactFetch(digest: digest(), first: 0, count: UInt32(int(1...8))))
        case .artifactStored: .artifactStored(Wire.ArtifactStored(digest: digest(), next: random.next32()))
        case .commandLog: .commandLog(Wire.CommandLog(cell: cell(), attempt: 1, digest: digest()))
        }
    }

    mutating func validFrame() -> [UInt8] {
        let kind = MessageKind.allCases[random.nextInt(below: MessageKind.allCases.count)]
        do {
            return try message(kind).encoded()
        } catch {
            fatalError("the fuzzer built an unencodable \(kind): \(error)")
        }
    }

    /// A ready frame whose slot count is outside 1…1024 (the encoder refuses it, so it is patched).
    mutating func absurdReady() -> [UInt8] {
        var frame = try! message(.ready).encoded()
        let slotsOffset = WireFormat.headerBytes + 4 + "fuzz".utf8.count + 8 + 4
        let slots: UInt32 = [0, 1025, 1 << 20, UInt32.max][random.nextInt(below: 4)]
        withUnsafeBytes(of: slots.littleEndian) { frame.replaceSubrange(slotsOffset..<(slotsOffset + 4), with: $0) }
        return frame
    }

    /// An artifact upload whose total, index, count or length disagree (bad offsets, huge sizes).
    mutating func badUpload() -> [UInt8] {
        let size = int(1...64)
        var frame = try! WireMessage.artifactUpload(Wire.ArtifactChunk(digest: digest(), totalBytes: UInt64(size), index: 0, count: 1,
                                                                      bytes: bytes(size))).encoded()
        // Layout after the header: digest 32, total u64, index u32, count u32, length u32, bytes.
        let total = WireFormat.headerBytes + 32, index = total + 8, count = index + 4, length = count + 4
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { frame.replaceSubrange(offset..<(offset + MemoryLayout<T>.size), with: $0) }
        }
        switch random.nextInt(below: 5) {
        case 0: put(UInt64.max - UInt64(random.next32()), at: total)                  // huge declared size
        case 1: put(UInt64(1) << 40, at: total); put(UInt32(1) << 20, at: count)   // 1 TiB in 2^20 chunks
        case 2: put(random.next32() | 2, at: index)                                 // chunk past the end
        case 3: put(UInt32(size + int(1...1_000_000)), at: length)                  // length beyond the frame
        default: put(UInt64(size + 1), at: total)                                   // one byte short of its total
        }
        return frame
    }

    mutating func mutate(_ frame: [UInt8]) -> [UInt8] {
        var frame = frame
        switch random.nextInt(below: 7) {
        case 0: // wrong version
            frame[0] = WireFormat.version &+ UInt8(int(1...255))
        case 1: // unknown kind
            if frame.count > 1 { frame[1] = random.next() & 1 == 0 ? 0 : UInt8(int(0x12...0xFF)) }
        case 2: // flags
            if frame.count > 2 { frame[2] = UInt8(int(1...255)) }
        case 3: // truncated
            frame = Array(frame.prefix(random.nextInt(below: frame.count)))
        case 4: // trailing bytes
            frame += bytes(int(1...16))
        default: // flipped bytes
            for _ in 0..<int(1...4) {
                let i = random.nextInt(below: frame.count)
                frame[i] ^= UInt8(1 << random.nextInt(below: 8))
            }
        }
        return frame
    }

    /// The next message (one or more parts) for an unregistered peer, never a valid ready.
    mutating func next() -> [[UInt8]] {
        while true {
            let parts: [[UInt8]]
            switch random.nextInt(below: 16) {
            case 0, 1: parts = [bytes(int(0...48))]                                             // noise
            case 2: parts = [[WireFormat.version, UInt8(int(1...16)), 0] + bytes(int(0...64))] // noise behind a good header
            case 3: parts = [absurdReady()]
            case 4: parts = [badUpload()]
            case 5: parts = (0..<int(2...3)).map { _ in validFrame() }                          // wrong frame count
            case 6, 7: parts = [validFrame()]                                                   // valid, any kind
            default: parts = [mutate(validFrame())]
            }
            if parts.count == 1, case .ready? = try? WireMessage(decoding: parts[0]) { continue }
            return parts
        }
    }

    /// What the coordinator does with `parts` from a peer that is not registered.
    static func expectation(_ parts: [[UInt8]]) -> Expectation {
        guard parts.count == 1, let message = try? WireMessage(decoding: parts[0]) else { return .bad }
        switch message {
        case .welcome, .assign, .ack, .cancel, .artifact, .artifactStored, .reregister: return .bad
        case .shutdown: return .ignored
        case .ready: return .ignored  // never generated for strangers
        case .heartbeat, .credit, .result, .failure, .artifactRequest, .artifactUpload, .artifactUnavailable, .drain, .accepted,
             .artifactFetch, .commandLog:
            return .reregister
        }
    }
}
