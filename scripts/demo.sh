#!/usr/bin/env bash
# The README's first command: the whole pipeline on the Fashion-MNIST sample that ships in
# data/fashion-mnist-sample, on the CPU. Builds dml4j first if needed (bin/dml4j does that).
# Any failure stops the demo.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
data=data/fashion-mnist-sample
out="${DML4J_DEMO_OUTPUT:-output/demo}"
common=(--use_gpu=False --data_dir "$data" --model ResNet18 --image_shape 3,32,32)
summary=()

stage() {
  local name="$1"; shift
  echo
  echo "=== $name: bin/dml4j $*"
  local log
  log="$(mktemp)"
  bin/dml4j "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then
    echo "demo: stage '$name' failed with exit code $rc" >&2
    exit "$rc"
  fi
  local recall
  recall="$(grep -oE 'test_recall [0-9.]+' "$log" | tail -n 1 | sed 's/test_recall/Recall@1/')"
  summary+=("$name: ${recall:-done}")
  rm -f "$log"
}

stage "train-elem (arcmargin)" train-elem "${common[@]}" --loss_name arcmargin --class_dim 5 \
  --train_batch_size 40 --total_iter_num 100 --lr_steps 80 --display_iter_step 10 --test_iter_step 50 \
  --save_iter_step 100 --arc_scale 16 --model_save_dir "$out/elem"
stage "train-pair (eml)" train-pair "${common[@]}" --loss_name eml --samples_each_class 8 \
  --train_batch_size 40 --lr 0.001 --total_iter_num 50 --lr_steps 40 --display_iter_step 10 \
  --test_iter_step 50 --save_iter_step 50 --pretrained_model "$out/elem/ResNet18/100" --model_save_dir "$out/pair"
stage "eval" eval "${common[@]}" --batch_size 50 --pretrained_model "$out/pair/ResNet18/50" \
  --report "$out/report"
stage "infer" infer "${common[@]}" --batch_size 50 --pretrained_model "$out/pair/ResNet18/50" \
  --output "$out/features"

echo
echo "=== demo summary (Recall@1 on the 200 test images of data/fashion-mnist-sample)"
printf '  %s\n' "${summary[@]}"
echo "  checkpoints: $out/elem/ResNet18/, $out/pair/ResNet18/ (training.png, metrics.csv beside them)"
echo "  report: $out/report/report.html; features: $out/features/"
