internal import CZeroMQ

/// The ZeroMQ socket patterns this module offers.
public enum SocketType: Sendable, CaseIterable, CustomStringConvertible {
    /// Routes by the peer's routing id, which it prepends to every received message.
    case router
    /// Load-balances outgoing messages over its peers, fair-queues incoming ones; no envelope.
    case dealer
    /// Exactly one peer, both directions (mostly for `inproc://` pipes between threads).
    case pair
    case push
    case pull
    case request
    case reply
    case publish
    case subscribe

    var rawValue: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pair: ZMQ_PAIR
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .request: ZMQ_REQ
        case .reply: ZMQ_REP
        case .publish: ZMQ_PUB
        case .subscribe: ZMQ_SUB
        }
    }

    public var description: String {
        switch self {
        case .router: "ROUTER"
        case .dealer: "DEALER"
        case .pair: "PAIR"
        case .push: "PUSH"
        case .pull: "PULL"
        case .request: "REQ"
        case .reply: "REP"
        case .publish: "PUB"
        case .subscribe: "SUB"
        }
    }
}
