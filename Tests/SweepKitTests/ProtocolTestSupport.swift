import SweepKit

/// The error a frame's decoding throws, or nil when it decodes.
func decodeError(_ frame: [UInt8]) -> ProtocolError? {
    do {
        _ = try WireMessage(decoding: frame)
        return nil
    } catch {
        return error
    }
}
