-- The pilot's paired noise effect per task group (psql "$URL" -f docs/results/pilot/paired-effect.sql);
-- the NOT (...) filter drops the variant cells (first task strengths, digits without mass centring).
-- LP, paired by model seed: per seed, the mean over a group's tasks of acc(0.3) − acc(0); then
-- mean, sd over seeds, and the 95 % t half-width for n seeds (t = 12.71 for n = 2, 2.78 for 5).
WITH tasks(task, grp) AS (VALUES
    ('mnist5k', 'ID transfer'), ('digits', 'ID transfer'), ('mnist5k-rotated', 'ID transfer'), ('mnist5k-thick', 'ID transfer'),
    ('mnist5k->digits', 'OOD transfer'), ('mnist5k->mnist5k-rotated', 'OOD transfer'), ('mnist5k->mnist5k-blur', 'OOD transfer'),
    ('mnist5k->mnist5k-thick', 'OOD transfer'), ('mnist5k->mnist5k-noisy', 'OOD transfer'),
    ('fmnist', 'ID source'), ('fmnist->fmnist-rotated', 'OOD source'), ('fmnist->fmnist-noisy', 'OOD source')),
r AS (SELECT r.*, c.spec->'evaluate'->'_0'->'taskParameters' AS tp FROM results r JOIN cells c ON c.key = r.cell_key
      WHERE r.method = 'lp' AND NOT ((r.task LIKE '%lowres' AND (c.spec->'evaluate'->'_0'->'taskParameters'->>'pixelationFactor')::int <> 2) OR (r.task LIKE '%mnist5k-noisy' AND (c.spec->'evaluate'->'_0'->'taskParameters'->>'digitNoiseStandardDeviation')::float8 <> 0.2) OR NOT (c.spec->'evaluate'->'_0'->'taskParameters'->>'digitsCentreOfMass')::boolean)),
d AS (SELECT t.grp, a.seed, avg(b.accuracy - a.accuracy) AS d, avg(a.accuracy) AS acc0, count(*) AS tasks
      FROM r a JOIN r b ON a.task = b.task AND a.seed = b.seed AND a.probe_seed = b.probe_seed
      JOIN tasks t ON t.task = a.task
      WHERE a.noise_ratio = 0 AND b.noise_ratio = 0.3 GROUP BY 1, 2)
SELECT grp AS "group", count(*) AS seeds, max(tasks) AS tasks, round(100 * avg(acc0)::numeric, 2) AS "LP acc at 0 (%)",
       round(100 * avg(d)::numeric, 2) AS "effect 0.3 − 0 (pts)", round(100 * stddev_samp(d)::numeric, 2) AS "sd over seeds (pts)",
       string_agg(round(100 * d::numeric, 2)::text, ' / ' ORDER BY seed) AS "per seed",
       round((100 * 2.776 * stddev_samp(d) / sqrt(5))::numeric, 2) AS "95% half-width at 5 seeds",
       ceil(power(100 * 2.0 * stddev_samp(d) / 0.5, 2)) AS "seeds for ±0.5 (≈, t≈2)"
FROM d GROUP BY 1 ORDER BY 1;
