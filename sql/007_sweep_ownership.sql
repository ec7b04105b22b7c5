-- nmsweep schema, migration 7: one owner per sweep, and the leases it issued (issues 21 and 14).
-- Layout and reasons: docs/schema.md ("Ownership and leases").
--
-- A coordinator owns its sweep by holding the session-level advisory lock
-- (1852666743 = 'nmsw', sweep id) for its whole life; the lock goes with its session, so a killed
-- coordinator's successor takes over at once. sweep_owners says who holds it (or held it last),
-- for the message a second coordinator prints and for `nmsweep status`.
CREATE TABLE sweep_owners (
    sweep_id     bigint PRIMARY KEY REFERENCES sweeps (id) ON DELETE CASCADE,
    host         text NOT NULL,
    pid          integer NOT NULL,
    endpoint     text NOT NULL,
    started_at   timestamptz NOT NULL,
    claimed_at   timestamptz NOT NULL DEFAULT now(),
    backend_pid  integer NOT NULL,
    released_at  timestamptz
);

-- The leases the owner issued: one row per dispatch round and worker (arrays, not a row per
-- cell, so the hot path pays one small INSERT per round). A successor takes a late result under
-- a predecessor's lease only when a row here says that lease was issued for that cell to that
-- worker and it has not expired; rows past expires_at are deleted when a coordinator starts.
CREATE TABLE sweep_leases (
    sweep_id    bigint NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
    worker_id   text NOT NULL,
    first_lease bigint NOT NULL,
    leases      bigint[] NOT NULL,
    cells       text[] NOT NULL,
    attempts    integer[] NOT NULL,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (sweep_id, worker_id, first_lease),
    CHECK (cardinality(leases) = cardinality(cells) AND cardinality(cells) = cardinality(attempts))
);
CREATE INDEX sweep_leases_expiry ON sweep_leases (sweep_id, expires_at);

-- Cells shared by sweeps run at once need no table: a coordinator holds back each unfinished
-- cell of its sweep that also belongs to a sweep whose owner is live (its lock granted in
-- pg_locks) and started before it (started_at, then sweep id), until that cell is done or that
-- owner is gone. The order is total, so two coordinators never wait for each other.
