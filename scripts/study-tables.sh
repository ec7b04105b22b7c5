#!/usr/bin/env bash
# Writes the summary tables of docs/results.md from a study's database, as Markdown:
#   scripts/study-tables.sh DATABASE_URL SWEEP > docs/results/tables.md
# (scripts/study.sh calls it; every number in docs/results.md comes from these tables or report.md.)
set -euo pipefail
URL=$1 SWEEP=$2
q() {  # q SQL: the rows as a Markdown table (header from the column names)
    psql "$URL" -X -q -A -F '|' --pset footer=off -c "$1" \
        | awk -F'|' 'NR == 1 { printf "|"; for (i = 1; i <= NF; i++) printf " %s |", $i; printf "\n|"; for (i = 1; i <= NF; i++) printf "---|"; printf "\n"; next }
                     { printf "|"; for (i = 1; i <= NF; i++) printf " %s |", $i; printf "\n" }'
}
pm="round(100 * accuracy_mean::numeric, 2) || ' ± ' || round(100 * coalesce(accuracy_std, 0)::numeric, 2)"

# The seed count of the header is the sweep's (task_results.seeds: complete seeds per row).
seeds=$(psql "$URL" -X -q -A -t -c "SELECT string_agg(DISTINCT seeds::text, '–') FROM task_results WHERE sweep = '$SWEEP'")
echo "### Accuracy (%) per task and method, mean ± std over $seeds seeds"
echo
q "SELECT task, task_kind AS kind, method,
        max(CASE WHEN noise_ratio = 0    THEN $pm END) AS \"noise 0\",
        max(CASE WHEN noise_ratio = 0.05 THEN $pm END) AS \"0.05\",
        max(CASE WHEN noise_ratio = 0.1  THEN $pm END) AS \"0.1\",
        max(CASE WHEN noise_ratio = 0.2  THEN $pm END) AS \"0.2\",
        max(CASE WHEN noise_ratio = 0.3  THEN $pm END) AS \"0.3\"
   FROM task_results WHERE sweep = '$SWEEP' GROUP BY 1, 2, 3 ORDER BY 2, 1, 3"
echo
echo "### Mean accuracy (%) over the tasks of a kind; tuned minus LP and minus MLP (points)"
echo
q "SELECT noise_ratio AS noise, task_kind AS kind,
        round(100 * avg(accuracy_mean) FILTER (WHERE method = 'lp')::numeric, 2) AS lp,
        round(100 * avg(accuracy_mean) FILTER (WHERE method = 'mlp')::numeric, 2) AS mlp,
        round(100 * avg(accuracy_mean) FILTER (WHERE method = 'nmtune')::numeric, 2) AS nmtune,
        round(100 * (avg(accuracy_mean) FILTER (WHERE method = 'nmtune') - avg(accuracy_mean) FILTER (WHERE method = 'lp'))::numeric, 2) AS \"nmtune − lp\",
        round(100 * (avg(accuracy_mean) FILTER (WHERE method = 'nmtune') - avg(accuracy_mean) FILTER (WHERE method = 'mlp'))::numeric, 2) AS \"nmtune − mlp\"
   FROM task_results WHERE sweep = '$SWEEP' GROUP BY 1, 2 ORDER BY 2, 1"
echo
echo "### Feature spectrum per noise ratio, mean over the 8 tasks (frozen = the pre-trained features; mlp/nmtune = after tuning)"
echo
q "SELECT noise_ratio AS noise,
        round(avg(sve_mean)  FILTER (WHERE features = 'frozen')::numeric, 4) AS \"SVE frozen\",
        round(avg(lsvr_mean) FILTER (WHERE features = 'frozen')::numeric, 4) AS \"LSVR frozen\",
        round(avg(sve_mean)  FILTER (WHERE features = 'mlp')::numeric, 4) AS \"SVE mlp\",
        round(avg(lsvr_mean) FILTER (WHERE features = 'mlp')::numeric, 4) AS \"LSVR mlp\",
        round(avg(sve_mean)  FILTER (WHERE features = 'nmtune')::numeric, 4) AS \"SVE nmtune\",
        round(avg(lsvr_mean) FILTER (WHERE features = 'nmtune')::numeric, 4) AS \"LSVR nmtune\"
   FROM spectrum_summary WHERE sweep = '$SWEEP' GROUP BY 1 ORDER BY 1"
echo
echo "### Frozen-feature SVE and LSVR per task (mean ± std over seeds)"
echo
sp() { echo "round($1_mean::numeric, 3) || ' ± ' || round(coalesce($1_std, 0)::numeric, 3)"; }
q "SELECT task, 'SVE' AS metric,
        max(CASE WHEN noise_ratio = 0 THEN $(sp sve) END) AS \"noise 0\", max(CASE WHEN noise_ratio = 0.05 THEN $(sp sve) END) AS \"0.05\",
        max(CASE WHEN noise_ratio = 0.1 THEN $(sp sve) END) AS \"0.1\", max(CASE WHEN noise_ratio = 0.2 THEN $(sp sve) END) AS \"0.2\",
        max(CASE WHEN noise_ratio = 0.3 THEN $(sp sve) END) AS \"0.3\"
   FROM spectrum_summary WHERE sweep = '$SWEEP' AND features = 'frozen' GROUP BY 1
 UNION ALL
 SELECT task, 'LSVR',
        max(CASE WHEN noise_ratio = 0 THEN $(sp lsvr) END), max(CASE WHEN noise_ratio = 0.05 THEN $(sp lsvr) END),
        max(CASE WHEN noise_ratio = 0.1 THEN $(sp lsvr) END), max(CASE WHEN noise_ratio = 0.2 THEN $(sp lsvr) END),
        max(CASE WHEN noise_ratio = 0.3 THEN $(sp lsvr) END)
   FROM spectrum_summary WHERE sweep = '$SWEEP' AND features = 'frozen' GROUP BY 1
 ORDER BY 2 DESC, 1"
echo
echo "### Where the time of the evaluate cells went (wall-clock seconds inside the cells, summed; from results.timings)"
echo
q "SELECT r.method, count(*) AS cells,
        round(sum((timings->>'load')::float)::numeric, 1) AS \"load data\",
        round(sum((timings->>'extract')::float)::numeric, 1) AS \"extract features\",
        round(sum((timings->>'tune')::float)::numeric, 1) AS tune,
        round(sum((timings->>'metrics')::float)::numeric, 1) AS \"SVE/LSVR (SVD)\"
   FROM results r JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id
  WHERE s.name = '$SWEEP' GROUP BY 1 ORDER BY 1"
