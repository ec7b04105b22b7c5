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
