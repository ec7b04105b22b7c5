public import Foundation

/// A child program in a process group of its own, so that a time limit or a stop reaches
/// everything it started (a Python launcher's workers, a shell's pipeline), not only its first process.
///
/// Spawned with `posix_spawnp` (the program looked up on the `PATH` of the environment given):
/// stdin from `/dev/null`, stdout and stderr appended to one log file, every other descriptor
/// closed in the child (it inherits none of the worker's sockets or pipes), signal dispositions
/// reset to default and the signal mask emptied (the worker ignores SIGPIPE and blocks signals on
/// some threads; a child must not inherit either). Waiting is by polling `waitpid` with `WNOHANG`,
/// so the caller's thread can also watch a deadline.
public final class ProcessGroup: @unchecked Sendable {
    // @unchecked: `pid` is set once in init; `status` is written only by `poll()`, which one
    // thread calls (the one that waits); `signal(_:)` reads only `pid`.
    /// The child's pid, which is also its process group's id.
    public let pid: Int32
    private var status: Termination?

    /// How a child ended.
    public enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): "exit code \(code)"
            case .signalled(let number): "killed by signal \(number) (\(ProcessGroup.signalName(number)))"
            }
        }
    }

    /// Starts `arguments[0]` with `arguments` as its argv, exactly `environment` as its
    /// environment, in `workingDirectory`, its output appended to `logPath` (created 0600).
    /// - Throws: ``ProcessGroupError`` naming the program when it cannot be started.
    public init(arguments: [String], environment: [String: String], workingDirectory: String, logPath: String) throws {
        guard let program = arguments.first, !program.isEmpty else { throw ProcessGroupError(message: "no program to run") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard SpawnActions.addChdir(&actions, workingDirectory) else {
            throw ProcessGroupError(message: "this C library lacks posix_spawn_file_actions_addchdir_np (glibc ≥ 2.29 needed)")
        }
        if !SpawnActions.addCloseFrom(&actions, 3) { SpawnActions.markDescriptorsCloseOnExec() }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)

        // posix_spawnp looks the program up on the PATH of the *calling* process; a program
        // without a slash is resolved here on the child's PATH instead.
        let path = program.contains("/") ? program : Self.lookUp(program, path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") ?? program
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var child = pid_t()
        let result = withCStrings(arguments) { argv in
            withCStrings(envp) { env in posix_spawn(&child, path, &actions, &attributes, argv, env) }
        }
        guard result == 0 else {
            throw ProcessGroupError(message: "cannot run \(program): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    /// Sends `number` to every process of the group (nothing once it is gone).
    public func signal(_ number: Int32) {
        _ = kill(-pid, number)
    }

    /// How the child ended, or nil while it runs; reaps it once. Only the waiting thread calls it.
    public func poll() -> Termination? {
        if let status { return status }
        var raw: Int32 = 0
        let reaped = waitpid(pid, &raw, WNOHANG)
        guard reaped == pid else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (the C macros do not import).
        status = (raw & 0x7f) == 0 ? .exited((raw >> 8) & 0xff) : .signalled(raw & 0x7f)
        return status
    }

    /// Polls every `intervalMilliseconds` until the child ends or `until` returns true; nil in
    /// the second case.
    public func wait(intervalMilliseconds: Int = 20, until stop: () -> Bool = { false }) -> Termination? {
        while true {
            if let ended = poll() { return ended }
            if stop() { return nil }
            usleep(UInt32(intervalMilliseconds * 1000))
        }
    }

    /// SIGTERM to the group, then SIGKILL if the child has not ended within `graceMilliseconds`;
    /// waits for it and returns how it ended. Stray members of the group get the SIGKILL too.
    @discardableResult
    public func stop(graceMilliseconds: Int64) -> Termination {
        signal(SIGTERM)
        let deadline = monotonicMilliseconds() + graceMilliseconds
        if let ended = wait(until: { monotonicMilliseconds() >= deadline }) {
            signal(SIGKILL)
            return ended
        }
        signal(SIGKILL)
        return wait()!
    }

    /// The first executable `name` on `path` (a colon-separated list).
    static func lookUp(_ name: String, path: String) -> String? {
        path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `SIGKILL`, `SIGTERM`, … for the common signals; `signal N` otherwise.
    public static func signalName(_ number: Int32) -> String {
        let names: [Int32: String] = [SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGABRT: "SIGABRT",
                                      SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE",
                                      SIGTERM: "SIGTERM", SIGBUS: "SIGBUS", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2"]
        return names[number] ?? "signal \(number)"
    }
}

/// A program that could not be started.
public struct ProcessGroupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// The spawn helpers glibc has but its Swift module does not declare, looked up at run time
/// (ProcessGroup here, SweepStore's `SystemCommand` for `pg_ctl`).
public enum SpawnActions {
    /// glibc ≥ 2.34's `posix_spawn_file_actions_addclosefrom_np`.
    public static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Bool {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return false
        }
        return unsafeBitCast(symbol, to: CloseFrom.self)(actions, lowest) == 0
    }

    /// glibc ≥ 2.29's `posix_spawn_file_actions_addchdir_np`.
    public static func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ directory: String) -> Bool {
        typealias Chdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
            return false
        }
        return directory.withCString { unsafeBitCast(symbol, to: Chdir.self)(actions, $0) } == 0
    }

    /// Fallback for older C libraries: every descriptor above 2 gets FD_CLOEXEC.
    public static func markDescriptorsCloseOnExec() {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            guard let fd = Int32(entry), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}

/// Calls `body` with a NULL-terminated C array of copies of `strings` (argv, envp).
public func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}
