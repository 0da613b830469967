#!/usr/bin/env bash
# Exact retrieval evaluation at scale, side by side in one run: single-JVM `dml4j eval --features`
# and the Spark job (scripts/spark_local.sh, local[2]) on the same synthetic embeddings (classes of
# 10, so R = 9 and Recall@K up to 1000). Prints wall seconds and peak resident memory of each
# (GNU time), their ratios, and whether the metrics JSON are identical. One heavy JVM at a time.
# Usage: scripts/bench_spark_eval.sh [N=100000] [D=512] [PARTITIONS=4]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
n="${1:-100000}"; d="${2:-512}"; p="${3:-4}"
out="output/bench-spark/$n-$d"
mkdir -p "$out"
[ -f "$out/npy/features.npy" ] || bin/dml4j bench embeddings --n "$n" --dim "$d" --output "$out/npy" >/dev/null
[ -d "$out/parquet" ] || scripts/spark_local.sh import --features_dir "$out/npy" --output "$out/parquet" \
  --partitions "$p" > "$out/import.log" 2>&1

measure() {   # measure NAME COMMAND... -> "seconds peak_kb"
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" > "$out/$name.log" 2>&1 \
    || { echo "bench_spark_eval.sh: $name failed, see $out/$name.log" >&2; exit 1; }
  cat "$out/$name.time"
}
read -r s1 m1 < <(measure single bin/dml4j eval --features "$out/npy/features.npy" --labels "$out/npy/labels.txt" \
  --output_json "$out/single.json")
read -r s2 m2 < <(measure spark scripts/spark_local.sh eval --embeddings "$out/parquet" --partitions "$p" \
  --output_json "$out/spark.json")
same=$(cmp -s "$out/single.json" "$out/spark.json" && echo identical || echo DIFFERENT)
printf '| N x D | single-JVM eval | Spark local[2], %s partitions | Spark / single |\n|---|---|---|---|\n' "$p"
awk -v n="$n" -v d="$d" -v s1="$s1" -v s2="$s2" -v m1="$m1" -v m2="$m2" 'BEGIN {
  printf "| %d x %d, seconds | %.1f | %.1f | %.2f |\n", n, d, s1, s2, s2 / s1
  printf "| peak RSS (GB) | %.2f | %.2f | %.2f |\n", m1 / 1048576, m2 / 1048576, m2 / m1 }'
echo "metrics JSON: $same ($out/single.json, $out/spark.json)"
