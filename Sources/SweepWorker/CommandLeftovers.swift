import Foundation

/// What a worker killed mid-command (SIGKILL, a crash) leaves behind, cleaned up by the next
/// worker that starts on the same cache folder: the attempt's folder, and its command's process
/// group, which a killed worker cannot stop (the group outlives it; the coordinator has already
/// given the cell to another attempt).
///
/// An attempt's folder is `<cell>-<attempt>-w<worker pid>-<random>` and holds `pgid`. A folder
/// whose worker is no longer alive is removed; its group is sent SIGKILL first, but only if the
/// group leader's environment still names that folder's `out/` (a reused pid is left alone).
enum CommandLeftovers {
    static func clean(_ workRoot: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: workRoot)) ?? [] {
            let parts = name.split(separator: "-")
            guard parts.count == 4, parts[2].hasPrefix("w"), let owner = Int32(parts[2].dropFirst()) else { continue }
            if owner == getpid() || kill(owner, 0) == 0 { continue }
            let folder = workRoot + "/" + name
            if let text = try? String(contentsOfFile: folder + "/pgid", encoding: .utf8),
               let group = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), group > 1,
               let environment = FileManager.default.contents(atPath: "/proc/\(group)/environ"),
               environment.split(separator: 0).contains(Data("NMSWEEP_OUT=\(folder)/out".utf8)) {
                _ = kill(-group, SIGKILL)
            }
            try? FileManager.default.removeItem(atPath: folder)
        }
    }
}
