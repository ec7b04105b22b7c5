// GENERATED from sql/*.sql -- do not edit by hand. Regenerate with sql/embed-into-swift.sh;
// EmbeddedSQLTests fails when this file and sql/ differ by a single byte.

extension Migration {
    /// Every migration of sql/, in order, as compiled into the binary.
    public static let all: [Migration] = [
        Migration(version: 1, name: "core", sql: #"""
-- nmsweep schema, migration 1: the tables of a sweep and its results.
-- Applied by SweepStore's Migrator inside one transaction, under an advisory lock; never edit a
-- migration once released (its checksum is recorded) -- add the next number instead.
-- Layout and reasons: docs/schema.md.

-- A study: a grid as the user wrote it, its canonical form, and where it stands.
CREATE TABLE sweeps (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL UNIQUE CHECK (name <> ''),
    grid           text NOT NULL,
    canonical_grid jsonb NOT NULL,
    state          text NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz
);

-- A unit of work, global and content-addressed: its key is the hash of its canonical spec, so a
-- cell shared by two sweeps (or a grid submitted twice) exists, runs and is stored once.
-- An evaluate cell is done when its row in results exists, whatever `state` says (state tracks
-- queued/leased/failed/cancelled; writing a result does not update this table, which keeps the
-- result path fast); a pretrain cell is marked done here when its artifact is stored.
CREATE TABLE cells (
    -- (Checked as length + negated class: a bounded regex like ^[0-9a-f]{16,128}$ costs ~27 us a row.)
    key              text PRIMARY KEY CHECK (length(key) BETWEEN 16 AND 128 AND key !~ '[^0-9a-f]'),
    kind             text NOT NULL CHECK (kind IN ('pretrain', 'evaluate')),
    spec             jsonb NOT NULL,
    depends_on       text REFERENCES cells (key),
    state            text NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'leased', 'done', 'failed', 'cancelled')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    lease_owner      text,
    lease_expires_at timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (depends_on IS NULL OR depends_on <> key),
    CHECK (state <> 'leased' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
);
-- The dispatcher's queries: ready cells in submission order, expired leases, dependants of a cell.
CREATE INDEX cells_queued ON cells (created_at, key) WHERE state = 'queued';
CREATE INDEX cells_leased ON cells (lease_expires_at) WHERE state = 'leased';
CREATE INDEX cells_depends_on ON cells (depends_on) WHERE depends_on IS NOT NULL;

-- Which cells make up which sweep (many to many: sweeps may share cells).
CREATE TABLE sweep_cells (
    sweep_id bigint NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
    cell_key text NOT NULL REFERENCES cells (key),
    PRIMARY KEY (sweep_id, cell_key)
);
CREATE INDEX sweep_cells_cell ON sweep_cells (cell_key);

-- One row per evaluate cell, written once (a duplicate is a no-op by key); a cell with a result is
-- done. Accuracy is a fraction in [0, 1]; SVE/LSVR are of the frozen features, tuned_* of the
-- features after the method's tuning. No foreign key to cells: its per-row check costs more than
-- the rest of the insert together (~11 us against ~4 us a row); the statement trigger below checks
-- the same thing set-wise.
CREATE TABLE results (
    cell_key       text PRIMARY KEY CHECK (length(cell_key) BETWEEN 16 AND 128 AND cell_key !~ '[^0-9a-f]'),
    noise_ratio    double precision NOT NULL CHECK (noise_ratio >= 0 AND noise_ratio <= 1),
    task           text NOT NULL,
    task_kind      text NOT NULL CHECK (task_kind IN ('id', 'ood')),
    method         text NOT NULL,
    seed           bigint NOT NULL,
    accuracy       double precision NOT NULL,
    sve            double precision NOT NULL,
    lsvr           double precision NOT NULL,
    tuned_sve      double precision,
    tuned_lsvr     double precision,
    train_loss     double precision,
    loss_terms     jsonb,
    realized_noise double precision,
    timings        jsonb NOT NULL DEFAULT '{}',
    worker_id      text,
    finished_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX results_finished_at ON results (finished_at);

-- Every result names a known cell: checked once per statement over the rows it inserted (a
-- transition table), so a batch of 10,000 costs one anti-join rather than 10,000 key lookups.
CREATE FUNCTION results_check_cells() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    SELECT i.cell_key INTO missing FROM inserted i
    WHERE NOT EXISTS (SELECT 1 FROM cells c WHERE c.key = i.cell_key) LIMIT 1;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'result for unknown cell %', missing USING ERRCODE = 'foreign_key_violation',
            HINT = 'insert the cell before its result';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER results_cells_exist AFTER INSERT ON results REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION results_check_cells();

-- Pretrained models and other blobs, addressed by the SHA-256 of their bytes (checked here).
CREATE TABLE artifacts (
    hash       text PRIMARY KEY CHECK (length(hash) = 64 AND hash !~ '[^0-9a-f]'),
    kind       text NOT NULL,
    bytes      bytea NOT NULL,
    size       bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (size = octet_length(bytes)),
    CHECK (hash = encode(sha256(bytes), 'hex'))
);

-- Workers the coordinator has seen; last_seen is their last heartbeat.
CREATE TABLE workers (
    id         text PRIMARY KEY CHECK (id <> ''),
    host       text NOT NULL,
    slots      integer NOT NULL CHECK (slots > 0),
    version    text NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now()
);

-- Append-only log of what happened (cell leased, failed, worker joined, sweep finished …).
CREATE TABLE events (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    kind      text NOT NULL CHECK (kind <> ''),
    sweep_id  bigint REFERENCES sweeps (id) ON DELETE CASCADE,
    cell_key  text,
    worker_id text,
    message   text NOT NULL DEFAULT '',
    detail    jsonb
);
CREATE INDEX events_sweep ON events (sweep_id, id);
CREATE INDEX events_cell ON events (cell_key) WHERE cell_key IS NOT NULL;

-- Events are a log: a row is never changed (rows go only when their sweep is deleted).
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();

"""#),
        Migration(version: 2, name: "report_views", sql: #"""
-- nmsweep schema, migration 2: the views behind `nmsweep report`, queryable with plain psql.
-- Accuracy is a fraction in [0, 1]. Standard deviations are over seeds (sample, n - 1), NULL for one seed.
-- Layout and reasons: docs/schema.md.

-- Every result with the sweep(s) it belongs to (a cell shared by two sweeps appears in both).
CREATE VIEW sweep_results AS
SELECT s.id AS sweep_id, s.name AS sweep, r.*
FROM sweeps s
JOIN sweep_cells sc ON sc.sweep_id = s.id
JOIN results r ON r.cell_key = sc.cell_key;

-- Per sweep x noise ratio x method: for each seed the accuracy averaged over the ID tasks (and over
-- the OOD tasks), then mean and standard deviation of those per-seed averages over seeds.
CREATE VIEW id_ood_summary AS
WITH per_seed AS (
    SELECT sweep_id, sweep, noise_ratio, method, seed, task_kind,
           avg(accuracy) AS accuracy, count(*) AS cells
    FROM sweep_results
    GROUP BY sweep_id, sweep, noise_ratio, method, seed, task_kind
)
SELECT sweep_id, sweep, noise_ratio, method,
       avg(accuracy) FILTER (WHERE task_kind = 'id')           AS id_mean,
       stddev_samp(accuracy) FILTER (WHERE task_kind = 'id')   AS id_std,
       count(*) FILTER (WHERE task_kind = 'id')                AS id_seeds,
       coalesce(sum(cells) FILTER (WHERE task_kind = 'id'), 0)::bigint  AS id_cells,
       avg(accuracy) FILTER (WHERE task_kind = 'ood')          AS ood_mean,
       stddev_samp(accuracy) FILTER (WHERE task_kind = 'ood')  AS ood_std,
       count(*) FILTER (WHERE task_kind = 'ood')               AS ood_seeds,
       coalesce(sum(cells) FILTER (WHERE task_kind = 'ood'), 0)::bigint AS ood_cells
FROM per_seed
GROUP BY sweep_id, sweep, noise_ratio, method;

-- Per sweep x noise ratio x task x method: accuracy mean and standard deviation over seeds.
CREATE VIEW task_results AS
SELECT sweep_id, sweep, noise_ratio, task, task_kind, method,
       avg(accuracy)         AS accuracy_mean,
       stddev_samp(accuracy) AS accuracy_std,
       count(*)              AS seeds
FROM sweep_results
GROUP BY sweep_id, sweep, noise_ratio, task, task_kind, method;

-- Per sweep x noise ratio x task: SVE and LSVR of the frozen features (features = 'frozen'; one value
-- per seed, averaged over the methods that share it), and of the tuned features of each method that
-- reports them (features = the method). Mean and standard deviation over seeds.
CREATE VIEW spectrum_summary AS
WITH frozen AS (
    SELECT sweep_id, sweep, noise_ratio, task, seed, avg(sve) AS sve, avg(lsvr) AS lsvr
    FROM sweep_results
    GROUP BY sweep_id, sweep, noise_ratio, task, seed
)
SELECT sweep_id, sweep, noise_ratio, task, 'frozen'::text AS features,
       avg(sve) AS sve_mean, stddev_samp(sve) AS sve_std,
       avg(lsvr) AS lsvr_mean, stddev_samp(lsvr) AS lsvr_std,
       count(*) AS seeds
FROM frozen
GROUP BY sweep_id, sweep, noise_ratio, task
UNION ALL
SELECT sweep_id, sweep, noise_ratio, task, method AS features,
       avg(tuned_sve), stddev_samp(tuned_sve),
       avg(tuned_lsvr), stddev_samp(tuned_lsvr),
       count(*)
FROM sweep_results
WHERE tuned_sve IS NOT NULL OR tuned_lsvr IS NOT NULL
GROUP BY sweep_id, sweep, noise_ratio, task, method;

-- Each noise ratio's ID and OOD mean minus the same method's mean at noise ratio 0 of the same sweep
-- (rows appear only where that baseline exists).
CREATE VIEW noise_effect AS
SELECT s.sweep_id, s.sweep, s.noise_ratio, s.method,
       s.id_mean - b.id_mean   AS id_delta,
       s.ood_mean - b.ood_mean AS ood_delta,
       s.id_mean, b.id_mean    AS id_baseline,
       s.ood_mean, b.ood_mean  AS ood_baseline
FROM id_ood_summary s
JOIN id_ood_summary b ON b.sweep_id = s.sweep_id AND b.method = s.method AND b.noise_ratio = 0;

"""#),
        Migration(version: 3, name: "results_insert_path", sql: #"""
-- nmsweep schema, migration 3: a cheaper insert path for results, with the same guarantees.
-- Layout and reasons: docs/schema.md ("The results insert path").

-- The key format check on results is implied by the cell-existence trigger: every results.cell_key
-- equals some cells.key, and cells checks that key's format. Checking it again per row cost ~2-3 us
-- (length + negated-class regex), a fifth of the whole insert.
ALTER TABLE results DROP CONSTRAINT results_cell_key_check;

-- With the format check gone, an UPDATE of cell_key must not be able to point a result at a cell that
-- does not exist: the same set-wise check now also runs after UPDATE (the store never updates results,
-- so this costs nothing on its path).
CREATE TRIGGER results_cells_exist_after_update AFTER UPDATE ON results REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION results_check_cells();

"""#),
        Migration(version: 4, name: "result_context", sql: #"""
-- nmsweep schema, migration 4: what a result needs so that it can be read as science.
-- Layout and reasons: docs/schema.md.
--
-- task_domain: 'source' for tasks drawn from the pre-training domain (the source task itself, a
--   coarsening or a corruption of it: they measure robustness of the source task), 'transfer' for
--   tasks on other data (the paper's ID/OOD averages are over transfer tasks). task_kind (id/ood)
--   stays what it was; the two together give the four report groups.
-- classes: the task's number of classes, so chance level (1 / classes) is checkable in SQL.
-- probe_seed: the seed of the downstream split, the probe's initialisation and its batch order;
--   seed stays the seed of the model (pre-training seed, or the feature set's seed in black-box
--   mode). The same probe seed at every noise ratio and for every method makes differences pair.
-- All three are NULL in rows written before this migration; views read a NULL task_domain as
-- 'transfer' and a NULL probe_seed as seed (before, the evaluate seed was the pre-training seed).
ALTER TABLE results
    ADD COLUMN task_domain text CHECK (task_domain IN ('source', 'transfer')),
    ADD COLUMN classes integer CHECK (classes >= 2),
    ADD COLUMN probe_seed bigint;

"""#),
        Migration(version: 6, name: "live_status", sql: #"""
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

"""#),
    ]
}
