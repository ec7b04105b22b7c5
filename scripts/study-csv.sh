#!/usr/bin/env bash
# Writes a study's raw numbers as CSV next to its report (scripts/study.sh calls it):
#   scripts/study-csv.sh DATABASE_URL SWEEP OUT_DIR
# - OUT_DIR/cells.csv: one row per evaluate cell (the unit every paired effect is computed from):
#   noise ratio, task, kind (id/ood), domain (source/transfer), classes, method, model seed, probe
#   seed, accuracy, frozen and tuned SVE/LSVR, NMTune's loss terms, realised noise, tuning seconds.
# - OUT_DIR/pretrainings.csv: one row per pre-trained model, read from the model file's metadata
#   (artifacts.bytes: 8-byte magic, u32 version, u32 little-endian metadata length, JSON):
#   clean source test accuracy, last-epoch loss on the noisy labels, and memorisation (of the
#   images whose label noise changed, the share classified as the noisy label / the clean label).
set -euo pipefail
URL=$1 SWEEP=$2 OUT=$3
mkdir -p "$OUT"
psql "$URL" -X -q -v ON_ERROR_STOP=1 -c "\\copy (
    SELECT r.noise_ratio, r.task, r.task_kind AS kind, coalesce(r.task_domain, 'transfer') AS domain, r.classes,
           r.method, r.seed, coalesce(r.probe_seed, r.seed) AS probe_seed, r.accuracy, r.sve, r.lsvr,
           r.tuned_sve, r.tuned_lsvr, r.train_loss,
           (r.loss_terms->>'ce')::float8 AS loss_ce, (r.loss_terms->>'consistency')::float8 AS loss_consistency,
           (r.loss_terms->>'singular')::float8 AS loss_singular, (r.loss_terms->>'covariance')::float8 AS loss_covariance,
           r.realized_noise, (r.timings->>'tune')::float8 AS tune_seconds, c.spec->'evaluate'->'_0'->'hyperparameters' AS hyperparameters
    FROM results r JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id
    JOIN cells c ON c.key = r.cell_key
    WHERE s.name = '$SWEEP'
    ORDER BY r.task, r.method, r.noise_ratio, r.seed, r.probe_seed) TO '$OUT/cells.csv' WITH (FORMAT csv, HEADER)"
psql "$URL" -X -q -v ON_ERROR_STOP=1 -c "\\copy (
    WITH m AS (
        SELECT DISTINCT ON (e.cell_key) e.cell_key, a.bytes
        FROM events e JOIN artifacts a ON a.hash = e.detail->>'sha256'
        JOIN sweep_cells sc ON sc.cell_key = e.cell_key JOIN sweeps s ON s.id = sc.sweep_id
        WHERE e.kind = 'artifact_stored' AND s.name = '$SWEEP'
        ORDER BY e.cell_key, e.id DESC),
    j AS (
        SELECT cell_key, convert_from(substring(bytes FROM 17 FOR get_byte(bytes, 12) + 256 * get_byte(bytes, 13)
                                                + 65536 * get_byte(bytes, 14)), 'UTF8')::jsonb AS meta
        FROM m)
    SELECT (meta->'spec'->>'noiseRatio')::float8 AS noise_ratio, (meta->'spec'->>'seed')::bigint AS seed,
           meta->'spec'->>'noiseModel' AS noise_model, (meta->>'realisedNoise')::float8 AS realised_noise,
           (meta->>'sourceTestAccuracy')::float8 AS source_test_accuracy, (meta->>'trainLoss')::float8 AS train_loss_noisy,
           (meta->>'memorisation')::float8 AS memorisation, (meta->>'corruptedCleanAccuracy')::float8 AS corrupted_clean_accuracy,
           (meta->'spec'->>'epochs')::int AS epochs, cell_key
    FROM j ORDER BY 1, 2) TO '$OUT/pretrainings.csv' WITH (FORMAT csv, HEADER)"
