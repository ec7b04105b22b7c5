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
