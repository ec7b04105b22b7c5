internal import CZeroMQ
import Foundation

/// What a poll waits for and what it found.
public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    /// A message (socket) or bytes (file descriptor) can be read without blocking.
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A message can be queued without blocking.
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition on a file descriptor.
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// Waits on several sockets (and plain file descriptors) at once with `zmq_poll`.
///
/// Items are numbered in the order registered; ``poll(timeout:)`` reports the ready ones by that
/// index. The poller keeps its sockets alive and, like them, stays on one thread.
/// Cost: O(items) per call.
public final class Poller {
    /// One ready item: its index in registration order and what it is ready for.
    public struct Ready: Sendable, Hashable {
        public let index: Int
        public let events: PollEvents
        public init(index: Int, events: PollEvents) {
            self.index = index
            self.events = events
        }
    }

    private var sockets: [Socket?] = []
    private var items: [zmq_pollitem_t] = []

    public init() {}

    /// Watches `socket` for `events`; returns its index.
    @discardableResult
    public func register(_ socket: Socket, for events: PollEvents = .readable) throws -> Int {
        let handle = try socket.open("poll register")
        sockets.append(socket)
        items.append(zmq_pollitem_t(socket: handle, fd: -1, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Watches a plain file descriptor (a pipe that wakes the loop, a listening TCP socket).
    @discardableResult
    public func register(fileDescriptor: Int32, for events: PollEvents = .readable) -> Int {
        sockets.append(nil)
        items.append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Changes what item `index` is watched for (e.g. add `.writable` while output is pending).
    public func setEvents(_ events: PollEvents, at index: Int) {
        guard items.indices.contains(index) else { return }
        items[index].events = events.rawValue
    }

    /// The number of registered items.
    public var count: Int { items.count }

    /// Waits until an item is ready or `timeout` ms passed (-1: forever, 0: just look).
    ///
    /// Returns the ready items in index order, empty when the time ran out. Interrupted by a
    /// signal (`EINTR`), it waits again for the time that is left.
    public func poll(timeout milliseconds: Int) throws -> [Ready] {
        let deadline = milliseconds > 0 ? DispatchTime.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000 : 0
        var wait = milliseconds
        while true {
            let rc = items.withUnsafeMutableBufferPointer { buffer in
                zmq_poll(buffer.baseAddress, Int32(buffer.count), wait)
            }
            if rc >= 0 { break }
            let error = ZeroMQError.last("zmq_poll")
            guard error.code == EINTR else { throw error }
            if milliseconds > 0 {
                let now = DispatchTime.now().uptimeNanoseconds
                if now >= deadline { return [] }
                wait = Int((deadline - now) / 1_000_000)
            }
        }
        var ready: [Ready] = []
        for index in items.indices where items[index].revents != 0 {
            ready.append(Ready(index: index, events: PollEvents(rawValue: items[index].revents)))
        }
        return ready
    }
}
