import Foundation
import Postgres

/// What a running coordinator knows about its sweep, written once a second (table `sweep_live`,
/// migration 6) so that `nmsweep status` and `nmsweep sweeps` show the truth while it runs.
public struct LiveStatus: Sendable, Equatable {
    /// One worker the coordinator hears, and how many of this sweep's cells it holds (leases).
    public struct Worker: Sendable, Equatable {
        public var id: String
        public var leased: Int
        public init(id: String, leased: Int) {
            self.id = id
            self.leased = leased
        }
    }

    public var host: String
    public var pid: Int
    /// Where workers connect.
    public var endpoint: String
    public var version: String
    /// When the coordinator started, seconds since 1970.
    public var startedAt: Double
    /// How often the row is rewritten, ms; a row silent for several intervals is stale.
    public var intervalMilliseconds: Int
    public var total = 0, done = 0, failed = 0, leased = 0, queued = 0, waiting = 0, committing = 0
    /// Cells completed since this coordinator started.
    public var doneThisRun = 0
    /// Seconds since this coordinator's work began; rate (cells/s) and ETA (s) from ``SweepKit/ProgressEstimator``.
    public var elapsedSeconds = 0.0
    public var rate: Double?
    public var etaSeconds: Double?
    public var workers: [Worker] = []
    /// Queued command cells no connected worker may run, by the tags they require (a worker
    /// with `--allow-commands` and those tags is needed); empty when every one has a worker.
    public var commandWaits: [CommandWait] = []

    /// Queued command cells that require these tags and wait for a worker that may run them.
    public struct CommandWait: Sendable, Equatable {
        public var requires: [String]
        public var cells: Int
        public init(requires: [String], cells: Int) {
            self.requires = requires
            self.cells = cells
        }
    }

    /// Read side: seconds since the last write (server clock), and whether the coordinator ended.
    public var secondsSinceHeartbeat: Double?
    public var ended = false

    public init(host: String, pid: Int, endpoint: String, version: String, startedAt: Double, intervalMilliseconds: Int) {
        self.host = host
        self.pid = pid
        self.endpoint = endpoint
        self.version = version
        self.startedAt = startedAt
        self.intervalMilliseconds = intervalMilliseconds
    }

    /// Whether a coordinator is running this sweep now: not ended, and written within five
    /// intervals (at least 5 s: a loaded machine may delay a write or two).
    public var isLive: Bool {
        guard !ended, let age = secondsSinceHeartbeat else { return false }
        return age <= max(5, 5 * Double(intervalMilliseconds) / 1000)
    }
}

extension SweepDatabase {
    /// Replaces the sweep's live row with `status` and marks the workers it names as seen now
    /// (`workers.last_seen`): one statement, whatever the number of workers.
    public func writeLiveStatus(sweepID: Int64, _ status: LiveStatus) throws {
        let workers = "[" + status.workers.map { "{\"worker\":\(Self.jsonString($0.id)),\"leased\":\($0.leased)}" }.joined(separator: ",") + "]"
        try connection.execute("""
            WITH live AS (
                INSERT INTO sweep_live (sweep_id, host, pid, endpoint, version, started_at, heartbeat_at, interval_ms, ended_at,
                                        total, done, failed, leased, queued, waiting, committing, done_this_run,
                                        elapsed_s, rate, eta_s, workers, command_waits)
                VALUES ($1, $2, $3, $4, $5, to_timestamp($6), now(), $7, NULL, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19::jsonb, $20::jsonb)
                ON CONFLICT (sweep_id) DO UPDATE SET
                    host = EXCLUDED.host, pid = EXCLUDED.pid, endpoint = EXCLUDED.endpoint, version = EXCLUDED.version,
                    started_at = EXCLUDED.started_at, heartbeat_at = now(), interval_ms = EXCLUDED.interval_ms, ended_at = NULL,
                    total = EXCLUDED.total, done = EXCLUDED.done, failed = EXCLUDED.failed, leased = EXCLUDED.leased,
                    queued = EXCLUDED.queued, waiting = EXCLUDED.waiting, committing = EXCLUDED.committing,
                    done_this_run = EXCLUDED.done_this_run, elapsed_s = EXCLUDED.elapsed_s, rate = EXCLUDED.rate,
                    eta_s = EXCLUDED.eta_s, workers = EXCLUDED.workers, command_waits = EXCLUDED.command_waits
                RETURNING workers)
            UPDATE workers SET last_seen = now()
            WHERE id IN (SELECT e->>'worker' FROM live, jsonb_array_elements(live.workers) e)
            """, sweepID, status.host, status.pid, status.endpoint, status.version, status.startedAt, status.intervalMilliseconds,
            status.total, status.done, status.failed, status.leased, status.queued, status.waiting, status.committing,
            status.doneThisRun, status.elapsedSeconds, status.rate, status.etaSeconds, workers, Self.commandWaitsJSON(status.commandWaits))
    }

    /// Marks the sweep's live row as ended (its coordinator finished or stopped).
    public func endLiveStatus(sweepID: Int64) throws {
        try connection.execute("UPDATE sweep_live SET ended_at = now() WHERE sweep_id = $1", sweepID)
    }

    /// The sweep's live row (nil if no coordinator of this version ever ran it).
    public func liveStatus(sweepID: Int64) throws -> LiveStatus? {
        let rows = try connection.query("""
            SELECT host, pid, endpoint, version, extract(epoch FROM started_at)::float8, interval_ms,
                   total, done, failed, leased, queued, waiting, committing, done_this_run, elapsed_s, rate, eta_s,
                   workers::text, extract(epoch FROM now() - heartbeat_at)::float8, ended_at IS NOT NULL, command_waits::text
            FROM sweep_live WHERE sweep_id = $1
            """, sweepID)
        guard let row = rows.first else { return nil }
        var status = LiveStatus(host: try row.decode(0), pid: try row.decode(1), endpoint: try row.decode(2), version: try row.decode(3),
                                startedAt: try row.decode(4), intervalMilliseconds: try row.decode(5))
        status.total = try row.decode(6)
        status.done = try row.decode(7)
        status.failed = try row.decode(8)
        status.leased = try row.decode(9)
        status.queued = try row.decode(10)
        status.waiting = try row.decode(11)
        status.committing = try row.decode(12)
        status.doneThisRun = try row.decode(13)
        status.elapsedSeconds = try row.decode(14)
        status.rate = try row.decode(15, as: Double?.self)
        status.etaSeconds = try row.decode(16, as: Double?.self)
        let json = try row.decode(17, as: String.self)
        if let array = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] {
            status.workers = array.compactMap { entry in
                guard let id = entry["worker"] as? String else { return nil }
                return LiveStatus.Worker(id: id, leased: (entry["leased"] as? NSNumber)?.intValue ?? 0)
            }
        }
        status.secondsSinceHeartbeat = try row.decode(18, as: Double?.self)
        status.ended = try row.decode(19)
        let waits = try row.decode(20, as: String.self)
        if let array = try? JSONSerialization.jsonObject(with: Data(waits.utf8)) as? [[String: Any]] {
            status.commandWaits = array.map { entry in
                LiveStatus.CommandWait(requires: entry["requires"] as? [String] ?? [], cells: (entry["cells"] as? NSNumber)?.intValue ?? 0)
            }
        }
        return status
    }

    /// When the sweep last finished (`YYYY-MM-DD HH:MM:SS` in the server's time zone, with the
    /// zone), or nil if it never did.
    public func finishedAt(sweepID: Int64) throws -> String? {
        try connection.query("SELECT to_char(finished_at, 'YYYY-MM-DD HH24:MI:SS TZ') FROM sweeps WHERE id = $1", sweepID)
            .first?.decode(0, as: String?.self)
    }

    /// `command_waits` as JSON: `[{"requires": ["gpu"], "cells": 4}]`.
    static func commandWaitsJSON(_ waits: [LiveStatus.CommandWait]) -> String {
        "[" + waits.map { "{\"requires\":[" + $0.requires.map(Self.jsonString).joined(separator: ",") + "],\"cells\":\($0.cells)}" }
            .joined(separator: ",") + "]"
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
