import NoisyCore

/// Checks a data folder against ``DataCatalog``'s pinned hashes and keeps its manifest.
public enum DataStore {
    /// What a data folder holds of one catalogue file.
    public enum FileState: Sendable, Equatable {
        /// Present with the pinned hash.
        case verified
        /// Not there.
        case missing
        /// There, with another hash.
        case mismatch(actual: String)
        /// There but unreadable (the reason).
        case unreadable(String)
    }

    /// One file's spec and state.
    public struct FileStatus: Sendable, Equatable {
        public let spec: DataFileSpec
        public let state: FileState
    }

    /// The state of each of `files` in `directory`; hashes every file that is there.
    /// Cost: one SHA-256 pass over the files (about 32 MB for the catalogue).
    public static func check(_ directory: String, files: [DataFileSpec] = DataCatalog.files) -> [FileStatus] {
        files.map { spec in
            let path = directory + "/" + spec.name
            guard FileBytes.isFile(path) else { return FileStatus(spec: spec, state: .missing) }
            do {
                let digest = try SHA256.hash(fileAt: path).hex
                return FileStatus(spec: spec, state: digest == spec.sha256 ? .verified : .mismatch(actual: digest))
            } catch {
                return FileStatus(spec: spec, state: .unreadable(String(describing: error)))
            }
        }
    }

    /// Checks that `directory` holds every one of `files` with its pinned hash.
    /// - Throws: ``DataError`` (`.hashMismatch` if any file differs, else `.missingFile`) whose
    ///   message lists every file at fault, with expected and actual hashes, and says how to fix it.
    public static func verify(_ directory: String, files: [DataFileSpec] = DataCatalog.files) throws {
        let statuses = check(directory, files: files)
        let faults = statuses.compactMap { status -> String? in
            let path = directory + "/" + status.spec.name
            switch status.state {
            case .verified: return nil
            case .missing: return "\(path) is missing"
            case .unreadable(let reason): return "\(path) cannot be read (\(reason))"
            case .mismatch(let actual):
                return "\(path) has SHA-256 \(actual), expected \(status.spec.sha256)"
            }
        }
        guard faults.isEmpty else {
            let anyMismatch = statuses.contains { if case .mismatch = $0.state { return true } else { return false } }
            throw DataError(
                anyMismatch ? .hashMismatch : .missingFile,
                "data folder \(directory) does not hold the pinned data: " + faults.joined(separator: "; ")
                    + ". Run `nmsweep data fetch --data-dir \(directory)` (it replaces files whose hash differs).")
        }
    }

    /// The manifest text for `files`: one `<sha256>  <name>` line each, as `sha256sum` prints
    /// and `sha256sum -c` checks.
    public static func manifest(_ files: [DataFileSpec] = DataCatalog.files) -> String {
        files.map { "\($0.sha256)  \($0.name)\n" }.joined()
    }

    /// Parses a manifest into name → hash.
    /// - Throws: ``DataError`` `.corrupt` naming the bad line.
    public static func parseManifest(_ text: String) throws -> [String: String] {
        var entries = [String: String]()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 64, SHA256Digest(hex: String(parts[0])) != nil else {
                throw DataError(.corrupt, "manifest line \(number + 1) is not '<sha256>  <name>': \(line)")
            }
            var name = Substring(parts[1])
            if name.first == " " || name.first == "*" { name.removeFirst() }
            entries[String(name)] = String(parts[0])
        }
        return entries
    }
}
