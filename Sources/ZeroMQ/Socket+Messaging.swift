internal import CZeroMQ
import Foundation

extension Socket {
    /// Sends `frames` as one multipart message (atomically: the peer gets all parts or none).
    ///
    /// Each frame is copied once into a libzmq message. Returns `false` when the message could
    /// not be queued now — `dontWait` and the high-water mark reached, or a send timeout — and
    /// `true` once queued. Throws ``ZeroMQError`` otherwise, e.g. `EHOSTUNREACH` from a ROUTER
    /// with ROUTER_MANDATORY whose routing id (the first frame) is not connected.
    /// An empty `frames` sends nothing and returns `true`.
    @discardableResult
    public func send(_ frames: [Frame], dontWait: Bool = false) throws -> Bool {
        let handle = try open("send")
        let base = dontWait ? ZMQ_DONTWAIT : 0
        for index in frames.indices {
            let flags = index < frames.count - 1 ? base | ZMQ_SNDMORE : base
            let sent = try frames[index].withUnsafeBytes { bytes in
                try Self.sendPart(handle, bytes, flags: flags, index: index)
            }
            if !sent {
                // libzmq checks the high-water mark on a message's first part only, so later
                // parts cannot meet EAGAIN; the first part not queued means nothing was.
                if index == 0 { return false }
                throw ZeroMQError(code: EAGAIN, message: "a later part of a multipart message was refused",
                                  operation: "send part \(index)")
            }
        }
        return true
    }

    /// Sends one part of a message from raw bytes; `more` means further parts follow.
    /// Returns `false` on `EAGAIN`, like ``send(_:dontWait:)``.
    @discardableResult
    public func send(bytes: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false) throws -> Bool {
        let handle = try open("send")
        let flags = (dontWait ? ZMQ_DONTWAIT : 0) | (more ? ZMQ_SNDMORE : 0)
        return try Self.sendPart(handle, bytes, flags: flags, index: 0)
    }

    private static func sendPart(_ handle: UnsafeMutableRawPointer, _ bytes: UnsafeRawBufferPointer,
                                 flags: Int32, index: Int) throws -> Bool {
        while true {
            if zmq_send(handle, bytes.baseAddress, bytes.count, flags) >= 0 { return true }
            let error = ZeroMQError.last("send part \(index) (\(bytes.count) bytes)")
            switch error.code {
            case EINTR: continue
            case EAGAIN: return false
            default: throw error
            }
        }
    }

    /// Receives one whole multipart message, each part copied once into a ``Frame``.
    ///
    /// Returns `nil` when no message is there and `dontWait` is set (or a receive timeout passed).
    /// A message of more than `maxFrames` parts is read to its end and discarded, and the call
    /// throws `EMSGSIZE`: with ``SocketOption/maxMessageSize`` capping each part, this bounds what
    /// one message can make this process allocate to `maxFrames × MAXMSGSIZE`.
    public func receiveMultipart(dontWait: Bool = false, maxFrames: Int = 16) throws -> [Frame]? {
        let handle = try open("receive")
        guard let first = try receivePart(handle, flags: dontWait ? ZMQ_DONTWAIT : 0) else { return nil }
        var frames = [first.frame]
        var more = first.more
        var dropped = 0
        while more {
            // The parts of a message arrive together, so the rest are there already.
            guard let part = try receivePart(handle, flags: 0) else {
                throw ZeroMQError(code: EAGAIN, message: "a multipart message ended early", operation: "receive")
            }
            if frames.count < maxFrames { frames.append(part.frame) } else { dropped += 1 }
            more = part.more
        }
        if dropped > 0 {
            throw ZeroMQError(code: EMSGSIZE,
                              message: "a message of \(frames.count + dropped) parts was discarded (limit \(maxFrames))",
                              operation: "receive")
        }
        return frames
    }

    /// Receives one message part without copying it: the returned ``Message`` owns libzmq's
    /// buffer. `nil` on `EAGAIN` as in ``receiveMultipart(dontWait:maxFrames:)``.
    public func receiveMessage(dontWait: Bool = false) throws -> Message? {
        let handle = try open("receive")
        let message = Message()
        while true {
            if zmq_msg_recv(message.pointer, handle, dontWait ? ZMQ_DONTWAIT : 0) >= 0 { return message }
            let error = ZeroMQError.last("receive")
            switch error.code {
            case EINTR: continue
            case EAGAIN: return nil
            default: throw error
            }
        }
    }

    /// One part into the reusable scratch message, copied out once.
    private func receivePart(_ handle: UnsafeMutableRawPointer, flags: Int32) throws -> (frame: Frame, more: Bool)? {
        zmq_msg_init(scratch)
        defer { zmq_msg_close(scratch) }
        while true {
            if zmq_msg_recv(scratch, handle, flags) >= 0 { break }
            let error = ZeroMQError.last("receive")
            switch error.code {
            case EINTR: continue
            case EAGAIN: return nil
            default: throw error
            }
        }
        let size = zmq_msg_size(scratch)
        let data = zmq_msg_data(scratch)
        let frame = Frame(unsafeUninitializedCapacity: size) { buffer, count in
            if size > 0, let data, let base = buffer.baseAddress { memcpy(base, data, size) }
            count = size
        }
        return (frame, zmq_msg_more(scratch) != 0)
    }
}

/// One received message part held in libzmq's own buffer (no copy); freed in `deinit`.
///
/// Like its socket, a `Message` stays on one thread.
public final class Message {
    let pointer: UnsafeMutablePointer<zmq_msg_t>

    init() {
        pointer = .allocate(capacity: 1)
        zmq_msg_init(pointer)
    }

    deinit {
        zmq_msg_close(pointer)
        pointer.deallocate()
    }

    /// The number of bytes.
    public var count: Int { zmq_msg_size(pointer) }

    /// Whether further parts of the same multipart message follow.
    public var hasMore: Bool { zmq_msg_more(pointer) != 0 }

    /// Calls `body` with the bytes, valid only during the call.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(pointer), count: zmq_msg_size(pointer)))
    }

    /// A copy of the bytes.
    public var bytes: Frame { withUnsafeBytes { Array($0) } }
}
