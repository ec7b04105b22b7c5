-- The ablation grid (grids/ablation.yaml) read per NMTune variant:
--   psql "$(nmsweep db url --state-dir .study/state)" -X -f docs/results/ablation/ablation.sql
-- For each variant (consistency / singular / covariance weights), task and noise ratio: accuracy
-- (mean over the 3 probe seeds of the one model seed) and its paired difference from the
-- authors' NMTune (1.0 / 0.001 / 0.04) on the same probe seed, with a 95 % t-interval over the 3
-- probe seeds (t(0.975, 2) = 4.303; probe seeds re-split and re-initialise the probe of one
-- model, so this interval covers probe variability only); and each loss term's share of the total
-- weighted loss in the last epoch (weight × unweighted term / total).
WITH r AS (
    SELECT r.task, r.noise_ratio, coalesce(r.probe_seed, r.seed) AS probe, r.accuracy, r.loss_terms,
           (c.spec->'evaluate'->'_0'->'hyperparameters'->>'consistencyWeight')::float8 AS wc,
           (c.spec->'evaluate'->'_0'->'hyperparameters'->>'singularWeight')::float8 AS ws,
           (c.spec->'evaluate'->'_0'->'hyperparameters'->>'covarianceWeight')::float8 AS wv
    FROM results r JOIN cells c ON c.key = r.cell_key
    JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id
    WHERE s.name = 'ablation' AND r.method = 'nmtune'),
d AS (
    SELECT v.wc, v.ws, v.wv, v.task, v.noise_ratio, v.probe, v.accuracy, v.accuracy - b.accuracy AS diff,
           v.wc * (v.loss_terms->>'consistency')::float8 AS lc, v.ws * (v.loss_terms->>'singular')::float8 AS ls,
           v.wv * (v.loss_terms->>'covariance')::float8 AS lv, (v.loss_terms->>'ce')::float8 AS lce
    FROM r v JOIN r b ON b.task = v.task AND b.noise_ratio = v.noise_ratio AND b.probe = v.probe
         AND b.wc = 1.0 AND b.ws = 0.001 AND b.wv = 0.04)
SELECT wc AS "λc", ws AS "λs", wv AS "λv", task, noise_ratio AS noise, count(*) AS n,
       round(100 * avg(accuracy)::numeric, 2) AS "acc (%)",
       round(100 * avg(diff)::numeric, 2) AS "− authors' (pts)",
       round(100 * (avg(diff) - 4.303 * stddev_samp(diff) / sqrt(count(*)))::numeric, 2) AS lo,
       round(100 * (avg(diff) + 4.303 * stddev_samp(diff) / sqrt(count(*)))::numeric, 2) AS hi,
       round((100 * avg(lc / (lce + lc + ls + lv)))::numeric, 3) AS "consistency % of loss",
       round((100 * avg(ls / (lce + lc + ls + lv)))::numeric, 4) AS "singular % of loss",
       round((100 * avg(lv / (lce + lc + ls + lv)))::numeric, 3) AS "covariance % of loss"
FROM d GROUP BY 1, 2, 3, 4, 5 ORDER BY 4, 5, 1, 2, 3;
