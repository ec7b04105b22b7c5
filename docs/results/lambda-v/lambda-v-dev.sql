-- The selection half of the pre-registered choice of NMTune's covariance weight λv
-- (grids/lambda-v-dev.yaml, on the default study's Fashion-MNIST models):
--   psql "$(nmsweep db url --state-dir STATE)" -X -f docs/results/lambda-v/lambda-v-dev.sql
-- For each candidate λv: the mean accuracy over the 9 judged transfer tasks × noise 0 and 0.3 × the
-- 5 model seeds (the rule: the highest mean wins; a tie within 0.05 points keeps the authors' 0.04),
-- the same split into ID and OOD tasks, and the paired difference from the authors' λv = 0.04:
-- per model seed the mean over the 18 (task, noise) pairs, then a 95 % t-interval over the 5 seeds
-- (t(0.975, 4) = 2.776).
WITH r AS (
    SELECT r.task, r.noise_ratio, r.seed, r.method, r.accuracy,
           CASE WHEN r.task LIKE '%->%' THEN 'ood' ELSE 'id' END AS kind,
           (c.spec->'evaluate'->'_0'->'hyperparameters'->>'covarianceWeight')::float8 AS wv
    FROM results r JOIN cells c ON c.key = r.cell_key
    JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id
    WHERE s.name = 'lambda-v-dev' AND r.method = 'nmtune'),
per_seed AS (
    SELECT v.wv, v.seed, k.kind, avg(v.accuracy) AS acc, avg(v.accuracy - b.accuracy) AS diff, count(*) AS cells
    FROM r v JOIN r b ON b.task = v.task AND b.noise_ratio = v.noise_ratio AND b.seed = v.seed AND b.wv = 0.04
    CROSS JOIN LATERAL (VALUES ('all'), (v.kind)) AS k(kind)
    GROUP BY v.wv, v.seed, k.kind)
SELECT wv AS "λv", kind AS tasks, sum(cells) AS cells, count(*) AS seeds,
       round(100 * avg(acc)::numeric, 2) AS "acc (%)",
       round(100 * avg(diff)::numeric, 2) AS "− λv 0.04 (pts)",
       round(100 * (avg(diff) - 2.776 * stddev_samp(diff) / sqrt(count(*)))::numeric, 2) AS lo,
       round(100 * (avg(diff) + 2.776 * stddev_samp(diff) / sqrt(count(*)))::numeric, 2) AS hi
FROM per_seed GROUP BY wv, kind
ORDER BY CASE kind WHEN 'all' THEN 0 WHEN 'id' THEN 1 ELSE 2 END, wv DESC;

-- Descriptive, not part of the rule: the same paired differences per noise ratio and task kind.
WITH r AS (
    SELECT r.task, r.noise_ratio, r.seed, r.accuracy,
           CASE WHEN r.task LIKE '%->%' THEN 'ood' ELSE 'id' END AS kind,
           (c.spec->'evaluate'->'_0'->'hyperparameters'->>'covarianceWeight')::float8 AS wv
    FROM results r JOIN cells c ON c.key = r.cell_key
    JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id
    WHERE s.name = 'lambda-v-dev' AND r.method = 'nmtune'),
per_seed AS (
    SELECT v.wv, v.noise_ratio, v.kind, v.seed, avg(v.accuracy - b.accuracy) AS diff
    FROM r v JOIN r b ON b.task = v.task AND b.noise_ratio = v.noise_ratio AND b.seed = v.seed AND b.wv = 0.04
    WHERE v.wv <> 0.04
    GROUP BY v.wv, v.noise_ratio, v.kind, v.seed)
SELECT wv AS "λv", noise_ratio AS noise, kind AS tasks, count(*) AS seeds,
       round(100 * avg(diff)::numeric, 2) AS "− λv 0.04 (pts)",
       round(100 * (avg(diff) - 2.776 * stddev_samp(diff) / sqrt(count(*)))::numeric, 2) AS lo,
       round(100 * (avg(diff) + 2.776 * stddev_samp(diff) / sqrt(count(*)))::numeric, 2) AS hi
FROM per_seed GROUP BY wv, noise_ratio, kind ORDER BY wv DESC, noise_ratio, kind;
