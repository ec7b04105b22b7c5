-- The test half of the pre-registered choice of NMTune's covariance weight λv
-- (grids/glyphs-lambda-v-test.yaml: the glyph study's model seeds 4-7, which the ablation never used):
--   psql "$(nmsweep db url --state-dir GLYPH_STATE)" -X -f docs/results/lambda-v/glyphs-lambda-v-test.sql
-- For each method or λv, task and noise ratio: accuracy (mean over the 4 models, each model's probe
-- seed its own seed), its paired difference from LP and from NMTune at the authors' λv = 0.04 on the
-- same model, each with a 95 % t-interval over the 4 models (t(0.975, 3) = 3.182). Only the λv that
-- grids/lambda-v-dev.yaml chose is the test; the other rows are what the candidates would have given.
WITH r AS (
    SELECT r.task, r.noise_ratio, r.seed, r.method, r.accuracy,
           CASE WHEN r.method = 'nmtune'
                THEN (c.spec->'evaluate'->'_0'->'hyperparameters'->>'covarianceWeight')::float8 END AS wv
    FROM results r JOIN cells c ON c.key = r.cell_key
    JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id
    WHERE s.name = 'glyphs-lambda-v-test'),
d AS (
    SELECT v.method, v.wv, v.task, v.noise_ratio, v.seed, v.accuracy,
           v.accuracy - lp.accuracy AS vs_lp, v.accuracy - nm.accuracy AS vs_nm
    FROM r v
    JOIN r lp ON lp.task = v.task AND lp.noise_ratio = v.noise_ratio AND lp.seed = v.seed AND lp.method = 'lp'
    JOIN r nm ON nm.task = v.task AND nm.noise_ratio = v.noise_ratio AND nm.seed = v.seed
             AND nm.method = 'nmtune' AND nm.wv = 0.04)
SELECT task, noise_ratio AS noise, method, wv AS "λv", count(*) AS n,
       round(100 * avg(accuracy)::numeric, 2) AS "acc (%)",
       round(100 * avg(vs_lp)::numeric, 2) AS "− LP",
       round(100 * (avg(vs_lp) - 3.182 * stddev_samp(vs_lp) / sqrt(count(*)))::numeric, 2) AS lo,
       round(100 * (avg(vs_lp) + 3.182 * stddev_samp(vs_lp) / sqrt(count(*)))::numeric, 2) AS hi,
       round(100 * avg(vs_nm)::numeric, 2) AS "− NMTune 0.04",
       round(100 * (avg(vs_nm) - 3.182 * stddev_samp(vs_nm) / sqrt(count(*)))::numeric, 2) AS lo,
       round(100 * (avg(vs_nm) + 3.182 * stddev_samp(vs_nm) / sqrt(count(*)))::numeric, 2) AS hi
FROM d GROUP BY task, noise_ratio, method, wv
ORDER BY task, noise_ratio, CASE method WHEN 'lp' THEN 0 WHEN 'mlp' THEN 1 ELSE 2 END, wv DESC;
