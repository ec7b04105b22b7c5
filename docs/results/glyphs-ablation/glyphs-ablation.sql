-- The glyph ablation grid (grids/glyphs-ablation.yaml) read per method and NMTune variant:
--   psql "$(nmsweep db url --state-dir STATE)" -X -f docs/results/glyphs-ablation/glyphs-ablation.sql
-- For each method or NMTune variant (consistency / singular / covariance weights), task and noise
-- ratio: accuracy (mean over the 4 model seeds, each model's probe seed its own seed) and its
-- paired difference from LP on the same model, with a 95 % t-interval over the 4 models
-- (t(0.975, 3) = 3.182; this covers model and probe variability together); and, for NMTune, each
-- loss term's share of the total weighted loss in the last epoch (weight × unweighted term / total).
WITH r AS (
    SELECT r.task, r.noise_ratio, r.seed, r.method, r.accuracy, r.loss_terms,
           (c.spec->'evaluate'->'_0'->'hyperparameters'->>'consistencyWeight')::float8 AS wc,
           (c.spec->'evaluate'->'_0'->'hyperparameters'->>'singularWeight')::float8 AS ws,
           (c.spec->'evaluate'->'_0'->'hyperparameters'->>'covarianceWeight')::float8 AS wv
    FROM results r JOIN cells c ON c.key = r.cell_key
    JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id
    WHERE s.name = 'glyphs-ablation'),
d AS (
    SELECT v.method, v.wc, v.ws, v.wv, v.task, v.noise_ratio, v.seed, v.accuracy,
           v.accuracy - b.accuracy AS diff,
           v.wc * (v.loss_terms->>'consistency')::float8 AS lc, v.ws * (v.loss_terms->>'singular')::float8 AS ls,
           v.wv * (v.loss_terms->>'covariance')::float8 AS lv, (v.loss_terms->>'ce')::float8 AS lce
    FROM r v JOIN r b ON b.task = v.task AND b.noise_ratio = v.noise_ratio AND b.seed = v.seed
         AND b.method = 'lp')
SELECT method, CASE WHEN method = 'nmtune' THEN wc END AS "λc", CASE WHEN method = 'nmtune' THEN ws END AS "λs",
       CASE WHEN method = 'nmtune' THEN wv END AS "λv", task, noise_ratio AS noise, count(*) AS n,
       round(100 * avg(accuracy)::numeric, 2) AS "acc (%)",
       round(100 * avg(diff)::numeric, 2) AS "− LP (pts)",
       round(100 * (avg(diff) - 3.182 * stddev_samp(diff) / sqrt(count(*)))::numeric, 2) AS lo,
       round(100 * (avg(diff) + 3.182 * stddev_samp(diff) / sqrt(count(*)))::numeric, 2) AS hi,
       round((100 * avg(lc / (lce + lc + ls + lv)))::numeric, 2) AS "consistency % of loss",
       round((100 * avg(ls / (lce + lc + ls + lv)))::numeric, 3) AS "singular % of loss",
       round((100 * avg(lv / (lce + lc + ls + lv)))::numeric, 2) AS "covariance % of loss"
FROM d GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 5, 6, 1, 2, 3, 4;
