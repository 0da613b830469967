#!/usr/bin/env bash
# dml4j against PyTorch on this machine: ResNet50 training (ArcFace head over 1000 classes, momentum SGD)
# at 3x224x224 batch 8 and 3x64x64 batch 32, the small recipe of docs/RESULTS.md (ResNet18 at 3x32x32:
# ArcFace over 10 classes at batch 64, eml at batch 40), and ResNet50 inference (dl4j engine, the same
# unfolded, onnxruntime engine) on synthetic input, each configuration in its own process, ours and theirs back to back so both see the same load. Prints images/s, peak
# resident memory and the dml4j/torch ratios, with the data loader's images/s for the same crops,
# and writes the table into docs/PERFORMANCE.md between its table markers.
# Needs Debian's python3-torch and python3-torchvision (apt-get install -y python3-torch python3-torchvision).
# Each row runs warm-up steps first (both sides the same number) and reports the median of the measured
# steps: dml4j reaches its steady speed only after the JVM has compiled DL4J's code paths, about 40 steps
# (docs/PERFORMANCE.md, "Warm-up"); --steps N overrides every row's measured steps.
# Usage: scripts/bench_vs_torch.sh [--steps N]      (RESULTS_FILE=path to write elsewhere)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps_override=
[ "${1:-}" = "--steps" ] && steps_override="$2"
results="${RESULTS_FILE:-docs/PERFORMANCE.md}"
python=/usr/bin/python3
if ! "$python" -c "import torch, torchvision" 2>/dev/null; then
  echo "bench_vs_torch.sh: PyTorch is missing; install it with: apt-get install -y python3-torch python3-torchvision" >&2
  exit 1
fi

rate() { sed -n 's/.* \([0-9.]*\) images\/s.*/\1/p' | head -n 1; }
rss_mb() { sed -n 's/.*peak RSS \([0-9]*\) kB.*/\1/p' | head -n 1 | awk '{printf "%.0f", $1 / 1024}'; }

# inference three ways: the default engine (dl4j, BatchNorms folded: what eval/infer/search run), the same
# network unfolded (inference before the folding), and --engine onnxruntime
# a configuration: mode|model|size|batch|loss|classes|warm-up steps|measured steps
configs=("train|ResNet50|224|8|arcmargin|1000|10|8" "train|ResNet50|64|32|arcmargin|1000|20|10"
         "train|ResNet18|32|64|arcmargin|10|40|30" "train|ResNet18|32|40|eml|10|40|30"
         "infer|ResNet50|224|8|||10|8" "infer|ResNet50|64|32|||20|10")
rows=()
for config in "${configs[@]}"; do
    IFS='|' read -r mode model size batch loss classes warmup steps <<<"$config"
    steps="${steps_override:-$steps}"
    extra=(); if [ "$mode" = train ]; then extra=(--loss "$loss" --classes "$classes"); fi
    theirs=$("$python" scripts/bench_torch.py "$mode" --arch "$model" --size "$size" --batch "$batch" --warmup "$warmup" --steps "$steps" "${extra[@]}" 2>/dev/null)
    echo "$theirs"
    if [ "$mode" = train ]; then
      what="train"; [ "$model" = ResNet50 ] || what="train $model $loss"
      variants=("$what|"); else
      variants=("infer, dl4j engine|--engine dl4j" "infer, dl4j unfolded (before)|--engine dl4j --fold False"
                "infer, onnxruntime engine|--engine onnxruntime"); fi
    for v in "${variants[@]}"; do
      IFS='|' read -r label flags <<<"$v"
      # shellcheck disable=SC2086
      ours=$(bin/dml4j bench "$mode" --model "$model" --size "$size" --batch "$batch" --warmup "$warmup" --steps "$steps" "${extra[@]}" $flags 2>/dev/null | grep "^$mode ")
      echo "$ours"
      rows+=("$label|$size|$batch|$(rate <<<"$ours")|$(rate <<<"$theirs")|$(rss_mb <<<"$ours")|$(rss_mb <<<"$theirs")|$warmup|$steps")
    done
done
loader=()
for crop in 224 64 32; do
  rate_loader=$(bin/dml4j bench data --crop "$crop" --threads 2 --count 300 2>/dev/null | awk '$1 == "train" {print $3}')
  loader+=("$crop|$rate_loader")
done

table=$(
  echo "Measured by \`scripts/bench_vs_torch.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')),"
  echo "$(java -version 2>&1 | head -n 1), PyTorch $("$python" -c 'import torch; print(torch.__version__)') with $(nproc) threads; median of the measured steps after the warm-up steps, both sides alike."
  echo
  echo "| run | warm-up + measured steps | dml4j images/s | torch images/s | dml4j / torch | dml4j peak RSS (MB) | torch peak RSS (MB) | memory ratio |"
  echo "|---|---|---|---|---|---|---|---|"
  for row in "${rows[@]}"; do
    IFS='|' read -r label size batch ours theirs rss_ours rss_theirs warmup steps <<<"$row"
    awk -v m="$label" -v s="$size" -v b="$batch" -v o="$ours" -v t="$theirs" -v ro="$rss_ours" -v rt="$rss_theirs" \
      -v w="$warmup" -v n="$steps" \
      'BEGIN { printf "| %s: 3x%sx%s batch %s | %s + %s | %.2f | %.2f | %.2f | %d | %d | %.2f |\n", m, s, s, b, w, n, o, t, o / t, ro, rt, ro / rt }'
  done
  echo
  echo "Data loader (\`bin/dml4j bench data\`, 2 threads, synthetic 500x500 JPEGs, train preprocessing; at 32 px the"
  echo "JPEG decoding of 500x500 images dominates: on Fashion-MNIST's 28x28 images it is faster still, docs/PERFORMANCE.md):"
  for row in "${loader[@]}"; do
    IFS='|' read -r crop r <<<"$row"
    echo "crop $crop: $r images/s."
  done
)
echo
echo "$table"
if [ -f "$results" ] && grep -q '<!-- table:begin -->' "$results"; then
  awk -v table="$table" '
    /<!-- table:begin -->/ { print; print table; skip = 1; next }
    /<!-- table:end -->/ { skip = 0 }
    !skip { print }' "$results" > "$results.tmp" && mv "$results.tmp" "$results"
  echo "written to $results"
fi
