import Dispatch
import Foundation
import SweepStore

/// The HTTP side's own database connection, for what the coordinator's snapshot does not hold
/// (the report and its plots, events, workers' rows, results per worker). Never the coordinator's
/// connection: its store thread keeps its own, so a page cannot delay a commit.
///
/// One dedicated thread (a serial queue: libpq calls block, so they stay off Swift's cooperative
/// pool and NIO's event loop) runs the queries one at a time. Each answer is kept and served
/// until it is `maxAge` seconds old; after that the kept one is still served at once while a
/// single refresh runs, so however many clients poll, the database sees at most one query per
/// kind per period; a request waits for the database only the first time, or when the kept answer
/// is more than four periods old (nobody asked for a while).
final class DatabaseReader: @unchecked Sendable {
    // @unchecked Sendable: `database` is touched only on `queue`; `cache` and `refreshing` only under `lock`.
    private let queue = DispatchQueue(label: "nmsweep.http.database")
    private let lock = NSLock()
    private let open: @Sendable () throws -> SweepDatabase
    private var database: SweepDatabase?
    private var cache: [String: (at: Double, value: any Sendable)] = [:]
    private var refreshing: Set<String> = []

    /// - Parameter open: opens a new connection (called on the reader's thread, again after a failure).
    init(open: @escaping @Sendable () throws -> SweepDatabase) {
        self.open = open
    }

    /// The value of `query` under `key`: the kept one (refreshed in the background when older
    /// than `maxAge` seconds), or, the first time, the query's answer.
    func value<T: Sendable>(_ key: String, maxAge: Double, _ query: @escaping @Sendable (SweepDatabase) throws -> T) async throws -> T {
        let now = Date().timeIntervalSince1970
        let (kept, refresh) = lock.withLock {
            let kept = cache[key].flatMap { now - $0.at < 4 * maxAge ? $0 : nil }
            let refresh = (kept.map { now - $0.at >= maxAge } ?? false) && !refreshing.contains(key)
            if refresh { refreshing.insert(key) }
            return (kept, refresh)
        }
        if let kept, let value = kept.value as? T {
            if refresh { queue.async { [self] in _ = try? run(key, query) } }
            return value
        }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                // A request that queued behind another's query of this kind takes that answer.
                lock.lock()
                let fresh = cache[key].flatMap { Date().timeIntervalSince1970 - $0.at < maxAge ? $0.value as? T : nil }
                lock.unlock()
                if let fresh { return continuation.resume(returning: fresh) }
                continuation.resume(with: Result { try run(key, query) })
            }
        }
    }

    /// Runs `query` on the reader's thread and keeps its answer.
    private func run<T: Sendable>(_ key: String, _ query: (SweepDatabase) throws -> T) throws -> T {
        defer {
            lock.lock()
            refreshing.remove(key)
            lock.unlock()
        }
        do {
            let db = try database ?? open()
            database = db
            let value = try query(db)
            lock.lock()
            cache[key] = (Date().timeIntervalSince1970, value)
            lock.unlock()
            return value
        } catch {
            // A lost connection is opened again by the next query.
            database = nil
            throw error
        }
    }
}
