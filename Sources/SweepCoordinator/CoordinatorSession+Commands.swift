import Logging
import SweepKit

/// What the coordinator last said about command cells waiting for a worker, and when.
package struct CommandWaitNote: Sendable {
    /// The current text (empty once every queued command cell has a worker that may run it).
    package private(set) var current = ""
    var checkedAt: SchedulerTime?
    var saidAt: SchedulerTime?

    /// A note is repeated this often while nothing changes, ms.
    static let repeatMilliseconds: Int64 = 30_000

    package init() {}

    /// A wait is said once it has lasted this long, ms: workers that are starting are not news.
    static let settleMilliseconds: Int64 = 3_000
    /// Since when the current text has held.
    var heldSince: SchedulerTime?

    /// The line to log for `text` at `now`, if any: once it has held for ``settleMilliseconds``,
    /// then every ``repeatMilliseconds`` while it lasts.
    mutating func update(_ text: String, now: SchedulerTime) -> String? {
        if text != current {
            current = text
            heldSince = now
            saidAt = nil
        }
        guard !text.isEmpty, now - (heldSince ?? now) >= Self.settleMilliseconds else { return nil }
        if let saidAt, now - saidAt < Self.repeatMilliseconds { return nil }
        saidAt = now
        return text
    }
}

extension CoordinatorSession {
    /// Says (a warning, above the live line) which queued command cells no connected worker may
    /// run — they need a worker started with `--allow-commands` and the tags they require — so a
    /// sweep waiting for such a worker does not look hung: once it has lasted 3 s, then every
    /// 30 s. At most one check a second.
    mutating func noteCommandWait(now: SchedulerTime) {
        if let checked = commandWait.checkedAt, now - checked < 1_000 { return }
        commandWait.checkedAt = now
        let text = scheduler.commandCellsWithoutWorker.map { group in
            let tags = group.requires.isEmpty ? "" : " and --tags \(group.requires.joined(separator: ","))"
            return "\(group.cells) command cell\(group.cells == 1 ? "" : "s") wait for a worker with --allow-commands\(tags); none is connected"
        }.joined(separator: "; ")
        if let line = commandWait.update(text, now: now) { logger.warning("\(line)") }
    }
}
