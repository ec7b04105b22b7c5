import Foundation
import SweepRuntime

/// Runs a program to completion, optionally as another user (through `runuser`), capturing its output.
///
/// Spawned with `posix_spawn` and every descriptor above 2 closed in the child: `pg_ctl start` leaves
/// a server running for days, which must not inherit our sockets or pipes (Foundation's `Process`
/// leaks one, and its `waitUntilExit` then never returns). Output goes to a temporary file for the
/// same reason: a pipe would stay open as long as the server.
struct SystemCommand {
    let executable: String
    let arguments: [String]
    /// Run as this user via `runuser -u USER --` (we are root), or as ourselves when nil.
    let user: String?
    let workingDirectory: String

    struct Outcome {
        let status: Int32
        let output: String
    }

    func run() throws -> Outcome {
        var argv = [executable] + arguments
        var path = executable
        if let user {
            path = FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser"
            argv = [path, "-u", user, "--"] + argv
        }
        var environment = ProcessInfo.processInfo.environment
        // A PG* variable meant for clients must not steer initdb or pg_ctl.
        for key in environment.keys where key.hasPrefix("PG") { environment[key] = nil }
        environment["LC_ALL"] = "C"
        let envp = environment.map { "\($0.key)=\($0.value)" }

        let outputPath = NSTemporaryDirectory() + "nmsweep-cmd-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).log"
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // A directory the (unprivileged) user can enter: postgres tools fail in one they cannot.
        guard SpawnActions.addChdir(&actions, workingDirectory) else {
            throw SweepStoreError(.embeddedServer, "this C library lacks posix_spawn_file_actions_addchdir_np (glibc ≥ 2.29 needed)")
        }
        if !SpawnActions.addCloseFrom(&actions, 3) { SpawnActions.markDescriptorsCloseOnExec() }

        var pid = pid_t()
        let status = withCStrings(argv) { argvPointers in
            withCStrings(envp) { envPointers in
                posix_spawn(&pid, path, &actions, nil, argvPointers, envPointers)
            }
        }
        guard status == 0 else {
            throw SweepStoreError(.embeddedServer, "cannot run \(path): \(String(cString: strerror(status)))")
        }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 {
            guard errno == EINTR else {
                throw SweepStoreError(.embeddedServer, "waitpid(\(pid)): \(String(cString: strerror(errno)))")
            }
        }
        // WIFEXITED / WEXITSTATUS, spelled out (the C macros do not import).
        let exitCode: Int32 = (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Outcome(status: exitCode, output: output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs and throws, with the command's output, unless it exits 0.
    @discardableResult
    func check(_ what: String) throws -> String {
        let outcome = try run()
        guard outcome.status == 0 else {
            throw SweepStoreError(
                .embeddedServer,
                "\(what) failed (\((executable as NSString).lastPathComponent) exit \(outcome.status)): \(outcome.output.suffix(2000))")
        }
        return outcome.output
    }
}
