import Foundation

/// The operating-system user the embedded cluster runs as.
///
/// PostgreSQL refuses to run as root. Run as root, nmsweep uses the system user `nmsweep`
/// (or `NMSWEEP_PG_USER`), creating it with `useradd --system` if missing, and runs `initdb`/`pg_ctl`
/// through `runuser`. Otherwise the cluster runs as the current user.
struct ClusterUser {
    /// `runuser -u` target, or nil to run as ourselves.
    let runAs: String?
    let uid: uid_t
    let gid: gid_t

    static let defaultName = "nmsweep"

    static func resolve() throws -> ClusterUser {
        guard geteuid() == 0 else { return ClusterUser(runAs: nil, uid: geteuid(), gid: getegid()) }
        let name = ProcessInfo.processInfo.environment["NMSWEEP_PG_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultName
        if let found = lookup(name) { return found }
        guard name == defaultName else {
            throw SweepStoreError(.embeddedServer, "NMSWEEP_PG_USER names \"\(name)\", which does not exist")
        }
        let outcome = try SystemCommand(
            executable: "/usr/sbin/useradd",
            arguments: ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", "--comment", "nmsweep embedded PostgreSQL", name],
            user: nil, workingDirectory: "/").run()
        // Exit 9: created meanwhile by another process.
        if let found = lookup(name) { return found }
        throw SweepStoreError(
            .embeddedServer, "cannot create the system user \(name) for the embedded PostgreSQL (useradd exit \(outcome.status)): \(outcome.output)",
            hint: "create an unprivileged user and name it in NMSWEEP_PG_USER, or give --database")
    }

    static func lookup(_ name: String) -> ClusterUser? {
        guard let entry = getpwnam(name) else { return nil }
        return ClusterUser(runAs: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// Makes `path` belong to the cluster user (a no-op when we are that user).
    func takeOwnership(of path: String) throws {
        guard runAs != nil else { return }
        guard chown(path, uid, gid) == 0 else {
            throw SweepStoreError(.embeddedServer, "cannot give \(path) to uid \(uid): \(String(cString: strerror(errno)))")
        }
    }

    /// Throws, naming the directory, unless the cluster user can enter every directory down to `path`.
    func checkCanReach(_ path: String) throws {
        guard runAs != nil else { return }
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            var info = stat()
            guard stat(prefix, &info) == 0 else { continue }
            let mode = info.st_mode
            let enterable = (mode & S_IXOTH) != 0 || info.st_uid == uid || (info.st_gid == gid && (mode & S_IXGRP) != 0)
            if !enterable {
                throw SweepStoreError(
                    .embeddedServer,
                    "the embedded PostgreSQL runs as user \(runAs!), which cannot enter \(prefix) (mode \(String(mode & 0o777, radix: 8)))",
                    hint: "choose a --state-dir (or NMSWEEP_STATE_DIR) under an enterable folder such as /var/lib, or run `chmod o+x \(prefix)`")
            }
        }
    }
}

/// The installed server's `initdb` and `pg_ctl`.
struct ServerBinaries {
    let initdb: String
    let pgCtl: String

    /// `NMSWEEP_PG_BIN`, else the newest `/usr/lib/postgresql/<major>/bin` (Debian's layout), else `PATH`.
    static func find() throws -> ServerBinaries {
        let fm = FileManager.default
        var candidates = [String]()
        if let dir = ProcessInfo.processInfo.environment["NMSWEEP_PG_BIN"], !dir.isEmpty { candidates.append(dir) }
        let majors = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted(by: >)
        candidates += majors.map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for dir in candidates where fm.isExecutableFile(atPath: dir + "/initdb") && fm.isExecutableFile(atPath: dir + "/pg_ctl") {
            return ServerBinaries(initdb: dir + "/initdb", pgCtl: dir + "/pg_ctl")
        }
        throw SweepStoreError(
            .embeddedServer, "no PostgreSQL server binaries (initdb, pg_ctl) found in NMSWEEP_PG_BIN, /usr/lib/postgresql/*/bin or PATH",
            hint: "install the server (apt-get install postgresql, or `make deps`) or give --database")
    }
}

/// TCP ports on 127.0.0.1.
enum FreePort {
    /// A port the kernel reports free now (bind to port 0, read it back, release it).
    static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SweepStoreError(.embeddedServer, "socket(): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw SweepStoreError(.embeddedServer, "bind(127.0.0.1:0): \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether 127.0.0.1:`port` can be bound now, with SO_REUSEADDR as PostgreSQL binds it (so the
    /// TIME_WAIT connections a just-stopped server leaves do not count as taken).
    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
