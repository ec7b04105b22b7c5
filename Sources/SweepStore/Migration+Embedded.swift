// GENERATED from sql/*.sql -- do not edit by hand. Regenerate with sql/embed-into-swift.sh;
// MigrationTests.embeddedSQLEqualsTheFilesByteForByte fails when this file and sql/ differ by a single byte.

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
        Migration(version: 5, name: "effects", sql: #"""
-- nmsweep schema, migration 5: reports that say what they are made of, and effects with paired
-- 95 % confidence intervals. Layout, decision rules and reasons: docs/schema.md, docs/statistics.md.
--
-- Expected cells come from the grid (sweep_cells + cells.spec), not from the results, so a failed
-- or unfinished cell is counted, listed and never silently left out of a mean:
--   grid_cells     every cell of a sweep with its grid point, state, attempts and last error;
--   seed_task      per seed: a task's accuracy over its probe seeds (complete or not);
--   seed_groups    per seed: the average over the tasks of a group (task_kind x task_domain),
--                  complete only when the seed has every task of the group;
--   group_summary  per noise x method x group: mean/std over complete seeds, with the counts;
--   task_results, id_ood_summary, noise_effect: as in migration 2, over complete seeds, with counts;
--   effects        paired differences (noise r vs 0, NMTune - LP, NMTune - MLP) and trends with noise,
--                  with mean, standard error, t-interval, n, and whether the interval excludes 0.
-- Accuracy is a fraction in [0, 1]; effects on accuracy are differences of fractions.

-- t(0.975, df): the two-sided 95 % Student-t quantile. PostgreSQL has no t distribution, so: exact
-- values (scipy.stats.t.ppf, 6 decimals) for df 1..30, then the value of the largest tabled df not
-- above df up to 1000 (conservative: at most 1 % wider than exact), then the normal 1.959964.
CREATE FUNCTION t_quantile_975(df integer) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN df < 1 THEN NULL
        WHEN df <= 30 THEN (ARRAY[12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624,
                                  2.306004, 2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787,
                                  2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614,
                                  2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407,
                                  2.045230, 2.042272]::double precision[])[df]
        WHEN df < 40 THEN 2.042272
        WHEN df < 50 THEN 2.021075
        WHEN df < 60 THEN 2.008559
        WHEN df < 80 THEN 2.000298
        WHEN df < 100 THEN 1.990063
        WHEN df < 120 THEN 1.983972
        WHEN df < 200 THEN 1.979930
        WHEN df < 500 THEN 1.971896
        WHEN df < 1000 THEN 1.964720
        WHEN df = 1000 THEN 1.962339
        ELSE 1.959964
    END
$$;

-- Every cell of every sweep with its grid point, read from the result when there is one (the
-- worker's own record) and from the spec otherwise. The spec is CellSpec's canonical JSON:
-- {"evaluate":{"_0":{…}}}, {"pretrain":{"_0":{…}}} or {"noop":{"_0":{…}}}. seed is the model's seed
-- (pre-training seed; the evaluate seed when there is no pre-training); probe_seed the seed of the
-- split, probe initialisation and batch order (NULL for pretrain cells). task_kind/task_domain/classes
-- of a cell without a result are those its task has in other results of the sweep, else the spec's,
-- else the name's (`a->b` is OOD) and 'transfer'. state is 'done' for a cell with a result.
CREATE VIEW grid_cells AS
WITH cell AS (
    SELECT sc.sweep_id, s.name AS sweep, c.key, c.kind, c.state, c.attempts, c.last_error, c.lease_owner,
           c.updated_at, c.spec ? 'noop' AS noop,
           coalesce(c.spec -> 'evaluate' -> '_0', c.spec -> 'pretrain' -> '_0', c.spec -> 'noop' -> '_0') AS p
    FROM sweep_cells sc
    JOIN sweeps s ON s.id = sc.sweep_id
    JOIN cells c ON c.key = sc.cell_key
), tags AS (
    SELECT sc.sweep_id, r.task, max(r.task_kind) AS task_kind, max(r.task_domain) AS task_domain,
           max(r.classes) AS classes
    FROM sweep_cells sc JOIN results r ON r.cell_key = sc.cell_key
    GROUP BY sc.sweep_id, r.task
), point AS (
    SELECT cell.*, r.cell_key IS NOT NULL AS has_result,
           coalesce(r.task, cell.p ->> 'task', CASE WHEN cell.noop THEN 'noop' END) AS task,
           coalesce(r.noise_ratio, (cell.p ->> 'noiseRatio')::double precision, CASE WHEN cell.noop THEN 0 END) AS noise_ratio,
           coalesce(r.method, cell.p ->> 'method', CASE WHEN cell.noop THEN 'noop' END) AS method,
           coalesce(r.seed, (cell.p ->> 'modelSeed')::bigint,
                    (cell.p -> 'features' -> 'pretrained' -> '_0' ->> 'seed')::bigint,
                    (cell.p ->> 'seed')::bigint, (cell.p ->> 'index')::bigint) AS seed,
           CASE WHEN cell.kind = 'pretrain' THEN NULL
                WHEN r.cell_key IS NOT NULL THEN coalesce(r.probe_seed, r.seed)
                ELSE coalesce((cell.p ->> 'probeSeed')::bigint, (cell.p ->> 'seed')::bigint, (cell.p ->> 'index')::bigint)
           END AS probe_seed,
           r.task_kind AS result_kind, r.task_domain AS result_domain, r.classes AS result_classes,
           r.accuracy, r.sve, r.lsvr
    FROM cell LEFT JOIN results r ON r.cell_key = cell.key
)
SELECT point.sweep_id, point.sweep, point.key AS cell_key, point.kind,
       point.task,
       CASE WHEN point.kind = 'pretrain' THEN NULL
            ELSE coalesce(point.result_kind, t.task_kind, point.p ->> 'taskKind',
                          CASE WHEN point.task LIKE '%->%' THEN 'ood' ELSE 'id' END) END AS task_kind,
       CASE WHEN point.kind = 'pretrain' THEN NULL
            ELSE coalesce(point.result_domain, t.task_domain, point.p ->> 'taskDomain', 'transfer') END AS task_domain,
       coalesce(point.result_classes, t.classes) AS classes,
       point.noise_ratio, point.method, point.seed, point.probe_seed,
       CASE WHEN point.has_result THEN 'done' ELSE point.state END AS state,
       point.attempts, point.last_error, point.lease_owner, point.updated_at,
       point.accuracy, point.sve, point.lsvr
FROM point LEFT JOIN tags t ON t.sweep_id = point.sweep_id AND t.task = point.task;

-- Per sweep x noise x method x task x seed: the task's accuracy (and frozen SVE/LSVR) averaged over
-- the seed's probe seeds, with the counts; complete when every probe-seed cell of it is done.
CREATE VIEW seed_task AS
SELECT sweep_id, sweep, noise_ratio, method, task_kind, task_domain, task, seed,
       max(classes) AS classes,
       count(*) AS cells_expected,
       count(*) FILTER (WHERE state = 'done') AS cells_done,
       count(*) FILTER (WHERE state = 'failed') AS cells_failed,
       count(*) FILTER (WHERE state = 'done') = count(*) AS complete,
       avg(accuracy) AS accuracy, avg(sve) AS sve, avg(lsvr) AS lsvr
FROM grid_cells
WHERE kind = 'evaluate' AND task IS NOT NULL AND method IS NOT NULL AND noise_ratio IS NOT NULL
GROUP BY sweep_id, sweep, noise_ratio, method, task_kind, task_domain, task, seed;

-- The tasks of each group of a sweep (over every noise ratio and method): a seed is complete for a
-- group only when it has all of them.
CREATE VIEW sweep_groups AS
SELECT sweep_id, task_kind, task_domain, count(DISTINCT task) AS tasks
FROM grid_cells WHERE kind = 'evaluate' AND task IS NOT NULL AND method IS NOT NULL AND noise_ratio IS NOT NULL
GROUP BY sweep_id, task_kind, task_domain;

-- Per sweep x noise x method x group x seed: the average over the group's tasks of each task's
-- accuracy (itself averaged over probe seeds). accuracy is NULL unless the seed is complete: every
-- task of the group present (sweep_groups) and every cell of it done.
CREATE VIEW seed_groups AS
SELECT st.sweep_id, st.sweep, st.noise_ratio, st.method, st.task_kind, st.task_domain, st.seed,
       count(*) AS tasks, g.tasks AS tasks_expected,
       sum(st.cells_expected)::bigint AS cells_expected, sum(st.cells_done)::bigint AS cells_done,
       sum(st.cells_failed)::bigint AS cells_failed,
       bool_and(st.complete) AND count(*) = g.tasks AS complete,
       CASE WHEN bool_and(st.complete) AND count(*) = g.tasks THEN avg(st.accuracy) END AS accuracy,
       CASE WHEN bool_and(st.complete) AND count(*) = g.tasks THEN avg(st.sve) END AS sve,
       CASE WHEN bool_and(st.complete) AND count(*) = g.tasks THEN avg(st.lsvr) END AS lsvr
FROM seed_task st
JOIN sweep_groups g ON g.sweep_id = st.sweep_id AND g.task_kind = st.task_kind AND g.task_domain = st.task_domain
GROUP BY st.sweep_id, st.sweep, st.noise_ratio, st.method, st.task_kind, st.task_domain, st.seed, g.tasks;

-- Per sweep x noise x method x group: accuracy mean, std and 95 % t-interval of the mean over the
-- complete seeds only (the interval of a level, not of an effect: effects pair seeds), with what
-- the row is made of: seeds (complete, in the mean) of seeds_expected, cells done of expected,
-- failed and not yet run, complete (every expected cell done) and a note saying what is missing.
CREATE VIEW group_summary AS
SELECT sweep_id, sweep, noise_ratio, method, task_kind, task_domain,
       max(tasks_expected) AS tasks,
       avg(accuracy) AS accuracy_mean, stddev_samp(accuracy) AS accuracy_std,
       count(*) FILTER (WHERE complete) AS seeds, count(*) AS seeds_expected,
       avg(accuracy) - t_quantile_975((count(*) FILTER (WHERE complete) - 1)::integer)
           * stddev_samp(accuracy) / sqrt(count(*) FILTER (WHERE complete)) AS accuracy_ci_low,
       avg(accuracy) + t_quantile_975((count(*) FILTER (WHERE complete) - 1)::integer)
           * stddev_samp(accuracy) / sqrt(count(*) FILTER (WHERE complete)) AS accuracy_ci_high,
       sum(cells_done)::bigint AS cells_done, sum(cells_expected)::bigint AS cells_expected,
       sum(cells_failed)::bigint AS cells_failed,
       (sum(cells_expected) - sum(cells_done) - sum(cells_failed))::bigint AS cells_not_run,
       bool_and(complete) AS complete,
       CASE WHEN bool_and(complete) THEN NULL
            ELSE concat_ws('; ',
                format('%s of %s seeds complete', count(*) FILTER (WHERE complete), count(*)),
                CASE WHEN sum(cells_failed) > 0 THEN format('%s cells failed', sum(cells_failed)) END,
                CASE WHEN sum(cells_expected) - sum(cells_done) - sum(cells_failed) > 0
                     THEN format('%s cells not run', sum(cells_expected) - sum(cells_done) - sum(cells_failed)) END)
       END AS note
FROM seed_groups
GROUP BY sweep_id, sweep, noise_ratio, method, task_kind, task_domain;

DROP VIEW noise_effect;
DROP VIEW id_ood_summary;
DROP VIEW task_results;

-- Per sweep x noise ratio x task x method: accuracy mean and std over the seeds whose cells of this
-- task are all done (their probe seeds averaged first); a grid point without any result keeps its row
-- (mean NULL). classes and chance (1/classes) let "every OOD task >= 3x chance" be checked in SQL.
CREATE VIEW task_results AS
SELECT sweep_id, sweep, noise_ratio, task, task_kind, method,
       avg(accuracy) FILTER (WHERE complete) AS accuracy_mean,
       stddev_samp(accuracy) FILTER (WHERE complete) AS accuracy_std,
       count(*) FILTER (WHERE complete) AS seeds,
       task_domain, max(classes) AS classes, 1.0::double precision / max(classes) AS chance,
       count(*) AS seeds_expected,
       sum(cells_done)::bigint AS cells_done, sum(cells_expected)::bigint AS cells_expected,
       sum(cells_failed)::bigint AS cells_failed,
       bool_and(complete) AS complete
FROM seed_task
GROUP BY sweep_id, sweep, noise_ratio, task, task_kind, task_domain, method;

-- Per sweep x noise ratio x method: the paper's ID and OOD averages, over the transfer tasks
-- (task_domain 'transfer'; source-domain tasks are in group_summary), complete seeds only.
CREATE VIEW id_ood_summary AS
WITH m AS (
    SELECT DISTINCT sweep_id, sweep, noise_ratio, method FROM seed_groups
), t AS (
    SELECT * FROM group_summary WHERE task_domain = 'transfer'
)
SELECT m.sweep_id, m.sweep, m.noise_ratio, m.method,
       i.accuracy_mean AS id_mean, i.accuracy_std AS id_std, coalesce(i.seeds, 0) AS id_seeds,
       coalesce(i.cells_done, 0) AS id_cells,
       o.accuracy_mean AS ood_mean, o.accuracy_std AS ood_std, coalesce(o.seeds, 0) AS ood_seeds,
       coalesce(o.cells_done, 0) AS ood_cells,
       coalesce(i.seeds_expected, 0) AS id_seeds_expected, coalesce(i.cells_expected, 0) AS id_cells_expected,
       coalesce(o.seeds_expected, 0) AS ood_seeds_expected, coalesce(o.cells_expected, 0) AS ood_cells_expected,
       coalesce(i.complete, true) AND coalesce(o.complete, true) AS complete
FROM m
LEFT JOIN t i ON i.sweep_id = m.sweep_id AND i.noise_ratio = m.noise_ratio AND i.method = m.method AND i.task_kind = 'id'
LEFT JOIN t o ON o.sweep_id = m.sweep_id AND o.noise_ratio = m.noise_ratio AND o.method = m.method AND o.task_kind = 'ood';

-- Each noise ratio's ID and OOD mean minus the same method's mean at noise ratio 0 (unpaired means;
-- the paired differences with their intervals are in effects).
CREATE VIEW noise_effect AS
SELECT s.sweep_id, s.sweep, s.noise_ratio, s.method,
       s.id_mean - b.id_mean   AS id_delta,
       s.ood_mean - b.ood_mean AS ood_delta,
       s.id_mean, b.id_mean    AS id_baseline,
       s.ood_mean, b.ood_mean  AS ood_baseline
FROM id_ood_summary s
JOIN id_ood_summary b ON b.sweep_id = s.sweep_id AND b.method = s.method AND b.noise_ratio = 0;

-- Paired effects with 95 % t-intervals. The unit is the model seed: a seed's value is its average
-- over probe seeds and over the tasks of the group (or of the one task), and a seed enters only when
-- complete on both sides. Rows:
--   effect 'noise'        accuracy at noise_ratio minus at 0, same method (method = that method);
--   effect 'nmtune-lp'    NMTune minus LP at noise_ratio (method = 'nmtune'); 'nmtune-mlp' likewise;
--   effect 'slope'        least-squares slope of metric ('accuracy' per method, 'sve'/'lsvr' of the
--                         frozen features with method NULL) against noise ratio (per 1.0 of noise
--                         ratio), fitted per seed over every noise ratio of the sweep; noise_ratio NULL.
-- task NULL = the group average; otherwise that task. n = seeds in the interval, seeds_expected =
-- seeds the grid has for it; the interval and excludes_zero are NULL with fewer than 2 seeds.
CREATE VIEW effects AS
WITH unit AS (
    -- one value per seed for a group (task NULL) or for a task
    SELECT sweep_id, sweep, noise_ratio, method, task_kind, task_domain, NULL::text AS task, seed,
           complete, accuracy, sve, lsvr
    FROM seed_groups
    UNION ALL
    SELECT sweep_id, sweep, noise_ratio, method, task_kind, task_domain, task, seed,
           complete, CASE WHEN complete THEN accuracy END, CASE WHEN complete THEN sve END,
           CASE WHEN complete THEN lsvr END
    FROM seed_task
), frozen AS (
    -- frozen features are the same for every method: one value per seed, averaged over the methods
    -- complete for it (an incomplete method's value is NULL, so avg skips it)
    SELECT sweep_id, sweep, noise_ratio, task_kind, task_domain, task, seed,
           bool_or(complete) AS complete, avg(sve) AS sve, avg(lsvr) AS lsvr
    FROM unit GROUP BY sweep_id, sweep, noise_ratio, task_kind, task_domain, task, seed
), noise_ratios AS (
    SELECT sweep_id, count(DISTINCT noise_ratio) AS k FROM seed_task GROUP BY sweep_id
), paired AS (
    -- each seed's value beside its baselines: the same method at noise 0, LP and MLP at the same noise
    -- (window aggregates rather than self-joins: one sort, no quadratic join)
    SELECT u.*,
           max(accuracy) FILTER (WHERE noise_ratio = 0) OVER same_method AS at_zero,
           bool_or(noise_ratio = 0) OVER same_method AS has_zero,
           max(accuracy) FILTER (WHERE method = 'lp') OVER same_noise AS lp,
           bool_or(method = 'lp') OVER same_noise AS has_lp,
           max(accuracy) FILTER (WHERE method = 'mlp') OVER same_noise AS mlp,
           bool_or(method = 'mlp') OVER same_noise AS has_mlp
    FROM unit u
    WINDOW same_method AS (PARTITION BY sweep_id, method, task_kind, task_domain, task, seed),
           same_noise AS (PARTITION BY sweep_id, noise_ratio, task_kind, task_domain, task, seed)
), diff AS (
    SELECT sweep_id, sweep, 'noise'::text AS effect, 'accuracy'::text AS metric, task_kind, task_domain,
           task, method, noise_ratio, seed, accuracy - at_zero AS d
    FROM paired WHERE noise_ratio > 0 AND has_zero
    UNION ALL
    SELECT sweep_id, sweep, 'nmtune-lp', 'accuracy', task_kind, task_domain, task, method, noise_ratio, seed,
           accuracy - lp
    FROM paired WHERE method = 'nmtune' AND has_lp
    UNION ALL
    SELECT sweep_id, sweep, 'nmtune-mlp', 'accuracy', task_kind, task_domain, task, method, noise_ratio, seed,
           accuracy - mlp
    FROM paired WHERE method = 'nmtune' AND has_mlp
    UNION ALL
    SELECT u.sweep_id, u.sweep, 'slope', 'accuracy', u.task_kind, u.task_domain, u.task, u.method, NULL, u.seed,
           CASE WHEN bool_and(u.complete) AND count(*) = max(k.k) AND max(k.k) >= 2
                THEN regr_slope(u.accuracy, u.noise_ratio) END
    FROM unit u JOIN noise_ratios k ON k.sweep_id = u.sweep_id
    GROUP BY u.sweep_id, u.sweep, u.task_kind, u.task_domain, u.task, u.method, u.seed
    UNION ALL
    SELECT f.sweep_id, f.sweep, 'slope', metric.name, f.task_kind, f.task_domain, f.task, NULL, NULL, f.seed,
           CASE WHEN bool_and(f.complete) AND count(*) = max(k.k) AND max(k.k) >= 2
                THEN regr_slope(CASE metric.name WHEN 'sve' THEN f.sve ELSE f.lsvr END, f.noise_ratio) END
    FROM frozen f JOIN noise_ratios k ON k.sweep_id = f.sweep_id
    CROSS JOIN (VALUES ('sve'), ('lsvr')) AS metric (name)
    GROUP BY f.sweep_id, f.sweep, metric.name, f.task_kind, f.task_domain, f.task, f.seed
), summary AS (
    SELECT sweep_id, sweep, effect, metric, task_kind, task_domain, task, method, noise_ratio,
           count(d) AS n, count(*) AS seeds_expected,
           avg(d) AS mean_diff, stddev_samp(d) / sqrt(count(d)) AS std_err,
           t_quantile_975((count(d) - 1)::integer) AS t_975
    FROM diff
    GROUP BY sweep_id, sweep, effect, metric, task_kind, task_domain, task, method, noise_ratio
)
SELECT sweep_id, sweep, effect, metric, task_domain, task_kind, task, method, noise_ratio,
       n, seeds_expected, mean_diff, std_err, t_975,
       mean_diff - t_975 * std_err AS ci_low,
       mean_diff + t_975 * std_err AS ci_high,
       CASE WHEN n >= 2 THEN mean_diff - t_975 * std_err > 0 OR mean_diff + t_975 * std_err < 0 END AS excludes_zero
FROM summary;

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
        Migration(version: 7, name: "sweep_ownership", sql: #"""
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

"""#),
        Migration(version: 8, name: "artifact_chunks", sql: #"""
-- nmsweep schema, migration 8: artifacts in chunks or in a shared folder, command logs, and
-- command cells waiting for a capable worker. Layout and reasons: docs/schema.md.
--
-- An artifact used to be one bytea row (at most 256 MiB, held whole by the coordinator and by
-- the server). Now its bytes are either that row (storage 'row': the artifacts written before
-- this migration, still readable), or 1 MiB rows of artifact_chunks written as the chunks arrive
-- (storage 'chunks'), or a file of the coordinator's --artifact-dir (storage 'folder',
-- <dir>/sha256/<ab>/<hash>). Only a row stored whole can be checked by the server
-- (hash = sha256(bytes)); chunks and files are hashed by the coordinator as it writes them, and
-- the artifacts row, written last, is the proof that they are complete.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'artifacts'::regclass AND contype = 'c' AND conname <> 'artifacts_hash_check' LOOP
        EXECUTE format('ALTER TABLE artifacts DROP CONSTRAINT %I', c.conname);
    END LOOP;
END $$;
ALTER TABLE artifacts ALTER COLUMN bytes DROP NOT NULL;
ALTER TABLE artifacts ADD COLUMN storage text NOT NULL DEFAULT 'row' CHECK (storage IN ('row', 'chunks', 'folder'));
ALTER TABLE artifacts ADD CONSTRAINT artifacts_bytes_check CHECK (
    CASE storage
        WHEN 'row' THEN bytes IS NOT NULL AND size = octet_length(bytes) AND hash = encode(sha256(bytes), 'hex')
        ELSE bytes IS NULL AND size >= 0
    END);

-- The chunks of artifacts stored as 'chunks': chunk n holds bytes [n MiB, (n+1) MiB). Written
-- before their artifacts row (an upload in progress, or abandoned: such rows are deleted when an
-- upload of the same hash starts again, and ignored while no artifacts row names them).
CREATE TABLE artifact_chunks (
    hash  text NOT NULL CHECK (length(hash) = 64 AND hash !~ '[^0-9a-f]'),
    chunk integer NOT NULL CHECK (chunk >= 0),
    bytes bytea NOT NULL CHECK (octet_length(bytes) <= 1048576),
    PRIMARY KEY (hash, chunk)
);
-- Chunk rows are 1 MiB of incompressible bytes as a rule: stored out of line without trying to compress.
ALTER TABLE artifact_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- The stdout/stderr log of every attempt of a command cell (success or failure), an artifact
-- (kind 'command-log'); `nmsweep logs` reads it. A later run's attempt of the same number
-- replaces the link.
CREATE TABLE cell_logs (
    cell_key   text NOT NULL REFERENCES cells (key) ON DELETE CASCADE,
    attempt    integer NOT NULL CHECK (attempt >= 1),
    artifact   text NOT NULL REFERENCES artifacts (hash),
    worker_id  text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cell_key, attempt)
);

-- Queued command cells that no connected worker may run (none has --allow-commands and the tags
-- they require): [{"requires": ["gpu"], "cells": 4}], written with the rest of the live row.
ALTER TABLE sweep_live ADD COLUMN command_waits jsonb NOT NULL DEFAULT '[]';

"""#),
    ]
}
