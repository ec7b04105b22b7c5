import Foundation

/// A Linux network namespace made with `ip netns` (iproute2): a "host" with its own interfaces,
/// addresses, routes and port space, for tests that need several hosts on one machine or a network
/// link to cut.
///
/// Needs root (`CAP_SYS_ADMIN` and `CAP_NET_ADMIN`); ``isAvailable`` says whether this machine allows
/// it, and ``unavailableReason`` why not, for a test to skip itself with a message.
///
/// Names are `nmsweep-<pid>-<n>-<label>` (unique per test process, so parallel runs never collide);
/// a namespace whose test process is gone is deleted by the next test process that probes. The
/// loopback is brought up at creation. ``delete()`` (also run by `deinit`) kills what still runs
/// inside and removes the namespace, which destroys its veth ends.
public final class NetworkNamespace: @unchecked Sendable {
    // @unchecked Sendable: `deleted` is only touched under `lock`; everything else is immutable.
    /// The namespace's name for `ip netns` / `ip -n`.
    public let name: String
    private let lock = NSLock()
    private var deleted = false

    /// The name prefix of every namespace the tests make.
    static let prefix = "nmsweep-"
    private static let counter = Counter()

    /// The iproute2 `ip` tool, or nil when none is installed.
    public static let ipTool: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why network namespaces cannot be used here (not root, no `ip`, `ip netns add` or a veth pair
    /// refused), or nil when they can. Probed once per process (two `ip` calls, a few ms); the probe
    /// also deletes namespaces left by test processes that no longer exist.
    public static let unavailableReason: String? = {
        guard geteuid() == 0 else { return "network namespaces need root (this test process runs as uid \(geteuid()))" }
        guard let tool = ipTool else { return "no iproute2 `ip` tool in /usr/sbin, /sbin, /usr/bin or /bin" }
        deleteAbandoned(tool: tool)
        let probe = "\(prefix)\(getpid())-probe"
        let added = try? ProcessRunner.run(tool, ["netns", "add", probe], timeout: 10)
        guard let added, added.status == 0 else {
            return "`ip netns add` is not permitted here: \(added?.standardError.trimmingCharacters(in: .whitespacesAndNewlines) ?? "ip failed")"
        }
        defer { _ = try? ProcessRunner.run(tool, ["netns", "delete", probe], timeout: 10) }
        let veth = try? ProcessRunner.run(tool, ["-n", probe, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1"], timeout: 10)
        guard let veth, veth.status == 0 else {
            return "veth pairs cannot be made here: \(veth?.standardError.trimmingCharacters(in: .whitespacesAndNewlines) ?? "ip failed")"
        }
        return nil
    }()

    /// True when network namespaces can be used; otherwise prints ``unavailableReason`` once to
    /// standard error (the tests that need them are skipped).
    public static var isAvailable: Bool {
        guard let reason = unavailableReason else { return true }
        reportOnce.run { FileHandle.standardError.write(Data("network-namespace tests skipped: \(reason)\n".utf8)) }
        return false
    }
    private static let reportOnce = Once()

    /// Makes a namespace (`label`: a few letters naming its role, e.g. "coord") with its loopback up.
    public init(_ label: String) throws {
        if let reason = Self.unavailableReason { throw NetworkNamespaceError(description: reason) }
        let clean = String(label.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(16))
        name = "\(Self.prefix)\(getpid())-\(Self.counter.next())-\(clean)"
        try Self.ip(["netns", "add", name])
        do {
            try ip(["link", "set", "dev", "lo", "up"])
        } catch {
            delete()
            throw error
        }
    }

    deinit { delete() }

    /// Runs `ip -n NAME arguments…` (a command about this namespace's network); throws with the
    /// command and its error output when it fails.
    public func ip(_ arguments: [String]) throws {
        try Self.ip(["-n", name] + arguments)
    }

    /// Sets `device` (an interface inside this namespace) administratively up or down. Down cuts the
    /// link both ways at once: the routes through it go, and its veth peer loses carrier.
    public func setLink(_ device: String, up: Bool) throws {
        try ip(["link", "set", "dev", device, up ? "up" : "down"])
    }

    /// The arguments of `ip` that run the program at `path` inside this namespace:
    /// `netns exec NAME path arguments…` (`ip` switches namespace and then `exec`s, so the process id
    /// is the program's own).
    public func execArguments(_ path: String, _ arguments: [String]) -> [String] {
        ["netns", "exec", name, path] + arguments
    }

    /// Runs the product `product` (see ``ProcessRunner/executable(_:)``) inside this namespace to its
    /// end, killing it after `timeout` seconds.
    public func run(_ product: String, _ arguments: [String], timeout: Double = 60) throws -> ProcessRunner.Outcome {
        try ProcessRunner.run(Self.requireTool(), execArguments(ProcessRunner.executable(product), arguments), timeout: timeout)
    }

    /// Kills every process still inside (SIGKILL, by id from `ip netns pids`) and deletes the
    /// namespace with its veth ends. Safe to call more than once.
    public func delete() {
        lock.lock()
        defer { lock.unlock() }
        guard !deleted, let tool = Self.ipTool else { return }
        deleted = true
        Self.killProcesses(in: name, tool: tool)
        _ = try? ProcessRunner.run(tool, ["netns", "delete", name], timeout: 10)
    }

    // MARK: Links

    /// One end of a veth pair: the namespace it is in, its device name and its IPv4 address.
    public struct Interface: Sendable, Equatable {
        public let namespace: String
        public let device: String
        public let address: String
    }

    /// A veth pair: a virtual cable between two namespaces.
    public struct VethPair: Sendable, Equatable {
        /// The end in the first namespace (address `<subnet>.1`).
        public let a: Interface
        /// The end in the second namespace (address `<subnet>.2`).
        public let b: Interface
    }

    /// Joins `a` and `b` with a veth pair on the /24 `subnet` (three octets, e.g. "10.77.1"): `a`'s
    /// end gets `<subnet>.1`, `b`'s `<subnet>.2`, both up. Device names are unique per test process
    /// (`nm<pid>v<n>a`/`…b`, within the kernel's 15 bytes); each end is created directly in its
    /// namespace, so nothing appears in the caller's.
    public static func link(_ a: NetworkNamespace, _ b: NetworkNamespace, subnet: String) throws -> VethPair {
        let n = counter.next()
        let stem = "nm\(getpid() % 100_000)v\(n % 1000)"
        let pair = VethPair(a: Interface(namespace: a.name, device: stem + "a", address: subnet + ".1"),
                            b: Interface(namespace: b.name, device: stem + "b", address: subnet + ".2"))
        try ip(["link", "add", pair.a.device, "netns", a.name, "type", "veth", "peer", "name", pair.b.device, "netns", b.name])
        for (namespace, end) in [(a, pair.a), (b, pair.b)] {
            try namespace.ip(["address", "add", end.address + "/24", "dev", end.device])
            try namespace.setLink(end.device, up: true)
        }
        return pair
    }

    // MARK: Internals

    static func requireTool() throws -> String {
        guard let tool = ipTool else { throw NetworkNamespaceError(description: unavailableReason ?? "no `ip` tool") }
        return tool
    }

    static func ip(_ arguments: [String]) throws {
        let outcome = try ProcessRunner.run(requireTool(), arguments, timeout: 20)
        guard outcome.status == 0 else {
            throw NetworkNamespaceError(description: "`ip \(arguments.joined(separator: " "))` failed (exit \(outcome.status)): "
                                        + outcome.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    static func killProcesses(in namespace: String, tool: String) {
        guard let pids = try? ProcessRunner.run(tool, ["netns", "pids", namespace], timeout: 10) else { return }
        for line in pids.standardOutput.split(separator: "\n") {
            if let pid = Int32(line.trimmingCharacters(in: .whitespaces)), pid > 1 { kill(pid, SIGKILL) }
        }
    }

    /// Deletes namespaces named by a test process that no longer exists (one killed mid-test).
    static func deleteAbandoned(tool: String) {
        guard let list = try? ProcessRunner.run(tool, ["netns", "list"], timeout: 10) else { return }
        for line in list.standardOutput.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count).prefix { $0.isNumber }),
                  pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }  // its test process still runs
            killProcesses(in: name, tool: tool)
            _ = try? ProcessRunner.run(tool, ["netns", "delete", name], timeout: 10)
        }
    }
}

public struct NetworkNamespaceError: Error, CustomStringConvertible {
    public var description: String
}

extension RunningProcess {
    /// Starts the product `name` inside `namespace` (through `ip netns exec`, which `exec`s it, so
    /// ``pid`` is the product's own process id).
    public convenience init(in namespace: NetworkNamespace, _ name: String, _ arguments: [String],
                            environment: [String: String] = [:]) throws {
        try self.init(NetworkNamespace.requireTool(), namespace.execArguments(ProcessRunner.executable(name), arguments),
                      environment: environment)
    }
}

/// Runs a closure once per process.
final class Once: @unchecked Sendable {
    // @unchecked Sendable: `done` is only touched under `lock`.
    private let lock = NSLock()
    private var done = false
    func run(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        body()
    }
}
