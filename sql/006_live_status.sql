-- nmsweep schema, migration 6: what a running coordinator knows, for `nmsweep status` and `sweeps`.
-- Layout and reasons: docs/schema.md.
--
-- The coordinator's own counters live in its memory (leases are never written per cell: that would
-- double the writes of the hot path). Once a second its store thread replaces this one row per
-- sweep with them: cells by state as the scheduler sees them, the workers it hears with the cells
-- each holds, and the rate and ETA of the live progress line (one estimator for both). A row whose
-- heartbeat is older than a few intervals belongs to a coordinator that is gone; ended_at is set
-- when it finishes or stops.
CREATE TABLE sweep_live (
    sweep_id        bigint PRIMARY KEY REFERENCES sweeps (id) ON DELETE CASCADE,
    host            text NOT NULL,
    pid             integer NOT NULL,
    endpoint        text NOT NULL,
    version         text NOT NULL,
    started_at      timestamptz NOT NULL,
    heartbeat_at    timestamptz NOT NULL DEFAULT now(),
    interval_ms     integer NOT NULL CHECK (interval_ms > 0),
    ended_at        timestamptz,
    total           integer NOT NULL CHECK (total >= 0),
    done            integer NOT NULL CHECK (done >= 0),
    failed          integer NOT NULL CHECK (failed >= 0),
    leased          integer NOT NULL CHECK (leased >= 0),
    queued          integer NOT NULL CHECK (queued >= 0),
    waiting         integer NOT NULL CHECK (waiting >= 0),
    committing      integer NOT NULL CHECK (committing >= 0),
    done_this_run   integer NOT NULL CHECK (done_this_run >= 0),
    elapsed_s       double precision NOT NULL,
    rate            double precision,
    eta_s           double precision,
    -- [{"worker": id, "leased": n}], one entry per live worker.
    workers         jsonb NOT NULL DEFAULT '[]'
);
