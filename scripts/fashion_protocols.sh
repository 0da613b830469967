#!/usr/bin/env bash
# The query/gallery and verification protocols on Fashion-MNIST (docs/RESULTS.md "Query/gallery and
# verification"): the closed split's 10 000 test images, queries = every fifth image (2 000), gallery
# = the other 8 000; 6 000 verification pairs drawn by `prepare pairs` (10 folds of 300 same + 300
# different). For an untrained ResNet18 and the arcmargin recipe of scripts/fashion_benchmark.sh.
# Prints the table it appends to RESULTS_FILE (default: output/fashion-protocols/RESULTS.md).
# Usage: scripts/fashion_protocols.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

out=output/fashion-protocols
data=data/fashion-mnist-images-full
results="${RESULTS_FILE:-$out/RESULTS.md}"
model=(--model ResNet18 --image_shape 3,32,32 --use_gpu=False --seed 0 --data_dir "$data")
mkdir -p "$out"

if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "fashion_protocols.sh: Fashion-MNIST is missing; install it with: apt-get install -y dataset-fashion-mnist" >&2
  exit 1
fi
[ -f "$data/Ebay_test.txt" ] || bin/dml4j prepare fashion-mnist --output "$data" --split images

# query.txt / gallery.txt: the test list's image lines split by position (header kept in both)
awk 'NR == 1 { print > q; print > g; next } { if ((NR - 2) % 5 == 0) print > q; else print > g }' \
  q="$data/query.txt" g="$data/gallery.txt" "$data/Ebay_test.txt"
[ -f "$out/pairs.txt" ] || bin/dml4j prepare pairs --list "$data/Ebay_test.txt" --output "$out/pairs.txt" \
  --pairs_per_fold 300 --folds 10 --seed 0

ckpt="$out/arcmargin/ResNet18/400"
if [ ! -f "$ckpt/checkpoint.json" ]; then
  bin/dml4j train-elem "${model[@]}" --class_dim 10 --train_batch_size 64 --lr 0.01 --lr_steps 300 \
    --total_iter_num 400 --display_iter_step 50 --test_iter_step 100000000 --save_iter_step 400 \
    --loss_name arcmargin --overwrite=True --model_save_dir "$out/arcmargin" > "$out/train.log" 2>&1 \
    || { echo "training failed: see $out/train.log" >&2; exit 1; }
fi

rows=()
for run in untrained arcmargin; do
  weights=()
  [ "$run" = arcmargin ] && weights=(--pretrained_model "$ckpt")
  bin/dml4j eval "${model[@]}" "${weights[@]}" --batch_size 500 --query_list query.txt --gallery_list gallery.txt \
    --output_json "$out/$run-gallery.json" > "$out/$run-gallery.log" 2>&1 \
    || { echo "eval failed: see $out/$run-gallery.log" >&2; exit 1; }
  bin/dml4j eval "${model[@]}" "${weights[@]}" --batch_size 500 --pairs "$root/$out/pairs.txt" \
    --output_json "$out/$run-pairs.json" --report "$out/$run-roc" > "$out/$run-pairs.log" 2>&1 \
    || { echo "eval failed: see $out/$run-pairs.log" >&2; exit 1; }
  rows+=("$run")
done

value() { sed -n "s/^ *\"$2\" : \\([-0-9.eE]*\\).*/\\1/p" "$1" | head -1; }
{
  echo "| run | rank-1 | rank-5 | rank-10 | mAP | verification accuracy | AUC | EER | TAR@FAR=1e-2 | TAR@FAR=1e-3 |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for run in "${rows[@]}"; do
    g="$out/$run-gallery.json"
    p="$out/$run-pairs.json"
    printf '| %s | %.4f | %.4f | %.4f | %.4f | %.4f ± %.4f | %.4f | %.4f | %.4f | %.4f |\n' "$run" \
      "$(value "$g" rank-1)" "$(value "$g" rank-5)" "$(value "$g" rank-10)" "$(value "$g" mAP)" \
      "$(value "$p" verification_accuracy)" "$(value "$p" verification_accuracy_std)" "$(value "$p" auc)" \
      "$(value "$p" eer)" "$(value "$p" 'tar@far=0.01')" "$(value "$p" 'tar@far=0.001')"
  done
} | tee "$results"
echo "queries $(($(wc -l < "$data/query.txt") - 1)), gallery $(($(wc -l < "$data/gallery.txt") - 1));" \
  "pairs: $out/pairs.txt; ROC curves: $out/<run>-roc/roc.png"
