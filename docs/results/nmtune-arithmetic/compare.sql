-- NMTune arithmetic 2 against 1 on the default study (grids/paper-nmtune-2.yaml against
-- grids/paper.yaml, one database):
--   psql "$(nmsweep db url --state-dir STATE)" -X -f docs/results/nmtune-arithmetic/compare.sql
-- The grid's decision rule (written before the run): over the 300 NMTune cells paired by (noise
-- ratio, task, seed), (1) the mean difference 2 − 1 has a 95 % t interval inside ±0.2 points; (2) the
-- standard deviation of the differences is under half the seed spread, the pooled standard
-- deviation of version 1's accuracies over the 5 seeds within each noise × task; (3) the report
-- states the same verdicts on both sweeps (compare `nmsweep report --sweep paper` with
-- `--sweep paper-nmtune-2`).
WITH r AS (
    SELECT s.name AS sweep, r.noise_ratio, r.task, r.seed, 100 * r.accuracy AS acc
    FROM results r JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id
    WHERE s.name IN ('paper', 'paper-nmtune-2') AND r.method = 'nmtune'),
pairs AS (
    SELECT a.noise_ratio, a.task, a.seed, a.acc AS one, b.acc AS two, b.acc - a.acc AS d
    FROM r a JOIN r b ON b.noise_ratio = a.noise_ratio AND b.task = a.task AND b.seed = a.seed
    WHERE a.sweep = 'paper' AND b.sweep = 'paper-nmtune-2'),
spread AS (
    SELECT sqrt(avg(v)) AS pooled_sd FROM (
        SELECT var_samp(one) AS v FROM pairs GROUP BY noise_ratio, task) g)
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE d = 0) AS identical,
       round(avg(d)::numeric, 3) AS "mean 2 − 1 (pts)",
       round((avg(d) - t_quantile_975(count(*)::int - 1) * stddev_samp(d) / sqrt(count(*)))::numeric, 3) AS lo,
       round((avg(d) + t_quantile_975(count(*)::int - 1) * stddev_samp(d) / sqrt(count(*)))::numeric, 3) AS hi,
       round(stddev_samp(d)::numeric, 3) AS "sd of differences",
       round((SELECT pooled_sd FROM spread)::numeric, 3) AS "seed spread (pooled sd)",
       round((stddev_samp(d) / (SELECT pooled_sd FROM spread))::numeric, 3) AS "ratio (rule: < 0.5)",
       round(max(abs(d))::numeric, 3) AS "max |2 − 1|"
FROM pairs;

-- Descriptive: the same per noise ratio and task kind.
WITH r AS (
    SELECT s.name AS sweep, r.noise_ratio, r.task, r.seed, 100 * r.accuracy AS acc,
           CASE WHEN r.task LIKE 'fmnist%' THEN 'source' WHEN r.task LIKE '%->%' THEN 'ood' ELSE 'id' END AS kind
    FROM results r JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id
    WHERE s.name IN ('paper', 'paper-nmtune-2') AND r.method = 'nmtune')
SELECT a.noise_ratio AS noise, a.kind, count(*) AS pairs,
       round(avg(b.acc - a.acc)::numeric, 3) AS "mean 2 − 1",
       round(stddev_samp(b.acc - a.acc)::numeric, 3) AS sd,
       round(max(abs(b.acc - a.acc))::numeric, 3) AS "max |2 − 1|"
FROM r a JOIN r b ON b.noise_ratio = a.noise_ratio AND b.task = a.task AND b.seed = a.seed
WHERE a.sweep = 'paper' AND b.sweep = 'paper-nmtune-2'
GROUP BY a.noise_ratio, a.kind ORDER BY a.kind, a.noise_ratio;
