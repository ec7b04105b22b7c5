#!/usr/bin/env bash
# bench-vs-torch.sh: the same pre-training and tuning work in PyTorch (CPU, one thread) and in
# nmsweep, in one run, interleaved, with the ratios. Not part of CI.
#
#   scripts/bench-vs-torch.sh                  # needs `make build` (release) and `make data`
#   REPEATS=5 scripts/bench-vs-torch.sh
#   NMSWEEP_TORCH_VENV=/path/to/venv scripts/bench-vs-torch.sh     # reuse a venv that has torch
#   NMTUNE_ARITHMETIC=1 scripts/bench-vs-torch.sh                    # NMTune's older arithmetic (default: current)
#
# Work (both sides): the study's CNN (conv 1→16, pool, conv 16→32, pool, fc 1568→128, head; SGD
# momentum 0.9, batch 128) for one epoch over PRETRAIN_SAMPLES Fashion-MNIST images, and LP, MLP
# and NMTune (AdamW, batch 64, hidden 4·D) on ROWS × DIM seeded features for EPOCHS epochs.
# Each side runs REPEATS times, alternating; the table shows medians and nmsweep's speed-up.
# When the venv also has sentence-transformers and the data folder the MiniLM files, the text
# encoder is compared too: `nmsweep-bench encoder --torch-python` on ENCODER_SENTENCES texts, CPU
# time of one thread on both sides (that command alternates ours and sentence-transformers itself).
# Without a usable venv it creates one in .venv-torch (pip, torch CPU wheels: ~200 MB).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${NMSWEEP_TORCH_VENV:-$root/.venv-torch}
bench=${NMSWEEP_BENCH:-$root/.build/release/nmsweep-bench}
data=${NMSWEEP_DATA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nmsweep/data}
repeats=${REPEATS:-3}
samples=${PRETRAIN_SAMPLES:-6000}
rows=${ROWS:-4000}
dim=${DIM:-64}
epochs=${EPOCHS:-30}
sentences=${ENCODER_SENTENCES:-128}

[ -x "$bench" ] || { echo "bench-vs-torch: $bench is missing: run 'make build' first" >&2; exit 2; }
[ -f "$data/fashion-mnist-train-images-idx3-ubyte.gz" ] || { echo "bench-vs-torch: no Fashion-MNIST in $data: run 'make data'" >&2; exit 2; }
if ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
    echo "bench-vs-torch: creating $venv with torch (CPU wheels)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --index-url https://download.pytorch.org/whl/cpu torch
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
encoder=0
if "$venv/bin/python" -c 'import sentence_transformers' 2>/dev/null && [ -f "$data/all-MiniLM-L6-v2.safetensors" ]; then
    encoder=1
fi
for i in $(seq "$repeats"); do
    if [ "$encoder" = 1 ]; then
        "$bench" encoder --torch-python "$venv/bin/python" --sentences "$sentences" --repeats 3 --timer thread \
            --data-dir "$data" --json > "$work/encoder-$i.json"
    fi
    "$venv/bin/python" "$root/scripts/bench-vs-torch.py" --data-dir "$data" --pretrain-samples "$samples" \
        --rows "$rows" --dim "$dim" --epochs "$epochs" --repeats 1 > "$work/torch-$i.json"
    "$bench" cell --pretrain-samples "$samples" --rows 200 --epochs 1 --json --data-dir "$data" > "$work/cell-$i.json"
    "$bench" tune --rows "$rows" --test-rows $((rows / 4)) --dim "$dim" --epochs "$epochs" ${NMTUNE_ARITHMETIC:+--nmtune-arithmetic "$NMTUNE_ARITHMETIC"} --json > "$work/tune-$i.json"
done

"$venv/bin/python" - "$work" "$repeats" "$encoder" <<'PY'
import json, statistics, sys
work, n, encoder = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
load = lambda kind: [json.load(open(f"{work}/{kind}-{i}.json")) for i in range(1, n + 1)]
torch, cell, tune = load("torch"), load("cell"), load("tune")
med = lambda xs: statistics.median(xs)
rows = []
t_img, n_img = med(t["pretrain_images_per_second"] for t in torch), med(c["pretrain_images_per_second"] for c in cell)
rows.append(("pre-training (images/s, higher is better)", t_img, n_img, n_img / t_img))
for m in ("lp", "mlp", "nmtune"):
    t_s, n_s = med(t[f"{m}_seconds"] for t in torch), med(x[m]["seconds"] for x in tune)
    label = f"{m} tuning (s, lower is better)"
    if m == "nmtune" and "nmtune_arithmetic" in tune[0]["nmtune"]:
        label = f"nmtune tuning, arithmetic {tune[0]['nmtune']['nmtune_arithmetic']} (s)"
    rows.append((label, t_s, n_s, t_s / n_s))
if encoder:
    enc = load("encoder")
    rows.append(("text encoder, 1 thread CPU (sentences/s)", med(e["torch_sentences_per_s"] for e in enc),
                 med(e["ours_sentences_per_s"] for e in enc), med(e["ratio_1_thread"] for e in enc)))
print(f"PyTorch {torch[0]['torch']} vs nmsweep, one thread each, medians of {n} alternating runs")
print(f"{'work':44} {'PyTorch':>10} {'nmsweep':>10} {'nmsweep speed-up':>17}")
for name, t, s, r in rows:
    print(f"{name:44} {t:10.3f} {s:10.3f} {r:16.2f}x")
lim = med(c["pretrain_fraction_of_gemm_limit"] for c in cell)
print(f"pre-training at {lim * 100:.0f} % of the GEMM-bound limit (nmsweep-bench cell, GEMM measured in the same run)")
PY
