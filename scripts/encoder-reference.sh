#!/usr/bin/env bash
# Regenerates Tests/TextEncoderTests/minilm-reference.json (texts, token ids, float32 embeddings of
# all-MiniLM-L6-v2 from the real sentence-transformers), or measures sentence-transformers' speed
# for `nmsweep-bench encoder --torch-python`.
#
#   scripts/encoder-reference.sh                 # writes the reference file
#   scripts/encoder-reference.sh --python        # prints the venv's python (creating the venv)
#
# The venv (torch CPU + sentence-transformers) is made on demand in $ENCODER_VENV
# (default .venv-encoder/); an existing one is reused when its python imports both. Not run in CI:
# the committed reference file is what the tests read. The model is the pinned wheel's, from the data
# folder (`nmsweep data fetch`), laid out as sentence-transformers expects in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${ENCODER_VENV:-$PWD/.venv-encoder}
DATA=${NMSWEEP_DATA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nmsweep/data}
OUT=${ENCODER_REFERENCE_OUT:-Tests/TextEncoderTests/minilm-reference.json}

python_ok() { "$1" -c 'import torch, sentence_transformers' >/dev/null 2>&1; }

if ! python_ok "$VENV/bin/python" 2>/dev/null; then
    echo "encoder-reference: creating $VENV (torch CPU + sentence-transformers)" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check --index-url https://download.pytorch.org/whl/cpu torch \
        || "$VENV/bin/pip" install -q --disable-pip-version-check torch
    "$VENV/bin/pip" install -q --disable-pip-version-check sentence-transformers numpy
fi
if [ "${1:-}" = "--python" ]; then echo "$VENV/bin/python"; exit 0; fi

# The data folder's pinned files under the names sentence-transformers reads.
MODEL=$(mktemp -d)
trap 'rm -rf "$MODEL"' EXIT
mkdir -p "$MODEL/1_Pooling"
ln -s "$DATA/all-MiniLM-L6-v2.safetensors" "$MODEL/model.safetensors"
ln -s "$DATA/all-MiniLM-L6-v2.config.json" "$MODEL/config.json"
ln -s "$DATA/all-MiniLM-L6-v2.tokenizer.json" "$MODEL/tokenizer.json"
ln -s "$DATA/all-MiniLM-L6-v2.tokenizer_config.json" "$MODEL/tokenizer_config.json"
ln -s "$DATA/all-MiniLM-L6-v2.sentence_bert_config.json" "$MODEL/sentence_bert_config.json"
ln -s "$DATA/all-MiniLM-L6-v2.pooling.json" "$MODEL/1_Pooling/config.json"
ln -s "$DATA/all-MiniLM-L6-v2.modules.json" "$MODEL/modules.json"
for f in "$MODEL"/*.json "$MODEL"/model.safetensors; do
    [ -e "$f" ] || { echo "encoder-reference: $f is missing; run nmsweep data fetch" >&2; exit 1; }
done
"$VENV/bin/python" scripts/encoder_reference.py "$MODEL" "$OUT"
