#!/usr/bin/env bash
# Crash safety, shown: a small train-elem run on the shipped sample is killed with SIGKILL at random
# moments (checkpoints are written every 2 iterations, so many kills land inside a write) and
# resumed each time with --checkpoint latest; its final parameters must equal an uninterrupted
# run's (checkpoint diff, tolerance 1e-6). Then the output disk is made too small: the write
# fails with a message that says so and the previous checkpoint still loads.
# Usage: scripts/crash_test.sh [trials]   (default 20)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
trials="${1:-20}"
work="${CRASH_TEST_DIR:-output/crash-test}"
rm -rf "$work"
mkdir -p "$work"
args=(train-elem --use_gpu=False --data_dir data/fashion-mnist-sample --model ResNet18 --image_shape 3,16,16
      --loss_name arcmargin --arc_scale 16 --class_dim 5 --train_batch_size 20 --total_iter_num 30
      --lr_steps 20 --display_iter_step 10 --test_iter_step 1000)

bin/dml4j "${args[@]}" --save_iter_step 2 --model_save_dir "$work/straight" > "$work/straight.log" 2>&1 \
  || { echo "crash_test: the uninterrupted run failed, see $work/straight.log" >&2; exit 1; }

crashy=("${args[@]}" --save_iter_step 2 --model_save_dir "$work/crashy")
resumes=0
kills=0
for trial in $(seq 1 "$trials"); do
  resume=()
  if ls -d "$work"/crashy/ResNet18/[0-9]* >/dev/null 2>&1; then resume=(--checkpoint latest); fi
  bin/dml4j "${crashy[@]}" "${resume[@]}" > "$work/trial-$trial.log" 2>&1 &
  pid=$!
  sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 2 + rand() * 10 }')"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null
  if [ ${#resume[@]} -gt 0 ]; then
    if grep -q "Resuming from" "$work/trial-$trial.log"; then
      resumes=$((resumes + 1))
    elif grep -q "Exception\|error" "$work/trial-$trial.log"; then
      echo "crash_test: trial $trial could not resume:" >&2; tail -5 "$work/trial-$trial.log" >&2; exit 1
    fi
  fi
  echo "trial $trial: killed after $(grep -c trainbatch "$work/trial-$trial.log") display lines;" \
    "checkpoints now: $(ls "$work/crashy/ResNet18" 2>/dev/null | tr '\n' ' ')"
done
bin/dml4j "${crashy[@]}" --checkpoint latest > "$work/final.log" 2>&1 \
  || { echo "crash_test: the final resume failed, see $work/final.log" >&2; exit 1; }
echo "$kills kills, $resumes resumes that loaded a checkpoint, $(cat "$work"/trial-*.log "$work/final.log" \
  | grep -c 'removing an unfinished checkpoint write') unfinished checkpoint writes found and removed"
bin/dml4j checkpoint diff "$work/straight/ResNet18/30" "$work/crashy/ResNet18/30" \
  || { echo "crash_test: FAILED, the interrupted run ended elsewhere" >&2; exit 1; }

# Ctrl-C: SIGINT after a few steps writes a checkpoint at the current iteration, exit code 130.
set -m   # job control: a non-interactive shell would start the background job with SIGINT ignored
bin/dml4j "${args[@]}" --save_iter_step 1000 --model_save_dir "$work/sigint" > "$work/sigint.log" 2>&1 &
pid=$!
set +m
for _ in $(seq 1 120); do grep -q "trainbatch 10," "$work/sigint.log" 2>/dev/null && break; sleep 0.5; done
kill -INT "$pid"
wait "$pid"
rc=$?
saved=$(grep -o 'interrupted at iteration [0-9]*' "$work/sigint.log" | grep -o '[0-9]*$')
echo "Ctrl-C: exit $rc, $(grep -o 'interrupted at iteration.*' "$work/sigint.log")"
[ "$rc" -eq 130 ] && [ -n "$saved" ] && [ -f "$work/sigint/ResNet18/$saved/model.zip" ] \
  || { echo "crash_test: FAILED, Ctrl-C did not leave a checkpoint" >&2; exit 1; }

# Disk full: a tmpfs with room for one checkpoint but not two.
disk="$work/small-disk"
mkdir -p "$disk"
if mount -t tmpfs -o size=120m tmpfs "$disk" 2>/dev/null; then
  trap 'umount "$disk" 2>/dev/null' EXIT
  bin/dml4j train-elem --use_gpu=False --data_dir data/fashion-mnist-sample --model ResNet18 --image_shape 3,16,16 \
    --loss_name arcmargin --arc_scale 16 --class_dim 5 --train_batch_size 20 --total_iter_num 4 --lr_steps 20 \
    --test_iter_step 1000 --save_iter_step 2 --model_save_dir "$disk" > "$work/disk-full.log" 2>&1
  rc=$?
  echo "disk full: exit $rc, $(grep -o 'cannot write checkpoint.*' "$work/disk-full.log" | head -c 200)"
  [ "$rc" -ne 0 ] && grep -qi "no space left on device" "$work/disk-full.log" \
    || { echo "crash_test: FAILED, a full disk was not reported" >&2; exit 1; }
  ls -a "$disk/ResNet18"
  bin/dml4j checkpoint diff "$disk/ResNet18/2" "$disk/ResNet18/2" --tolerance 0 > /dev/null \
    || { echo "crash_test: FAILED, the previous checkpoint does not load" >&2; exit 1; }
  echo "disk full: the previous checkpoint ($disk/ResNet18/2) still loads"
else
  echo "disk full: skipped (cannot mount a tmpfs here; needs root)"
fi
echo "crash_test: passed"
