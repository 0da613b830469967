#!/usr/bin/env bash
# The build for CPUs without AVX2 (mvn -Pnoavx2: ND4J's plain x86-64 natives) starts and infers the
# same features as the default build: both infer the shipped sample with the demo's first
# checkpoint (trained here if missing) and the largest relative difference must be below 1e-5.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
data=data/fashion-mnist-closed-sample
out=output/noavx2-check
mkdir -p "$out"
ckpt="$out/ckpt/ResNet18/2"
if [ ! -f "$ckpt/checkpoint.json" ]; then
  bin/dml4j train-elem --use_gpu=False --data_dir "$data" --model ResNet18 --image_shape 3,32,32 --class_dim 10 \
    --train_batch_size 20 --total_iter_num 2 --save_iter_step 2 --test_iter_step 1000 --loss_name softmax \
    --overwrite=True --model_save_dir "$out/ckpt" > "$out/train.log" 2>&1
fi
MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }-Djansi.noreset=true" mvn -B -q -Dstyle.color=never -Pnoavx2 -DskipTests package   # no ESC[0m (bin/dml4j says why)
if ls target-noavx2/dml4j/lib | grep -q onednn; then
  echo "check_noavx2_build.sh: the noavx2 distribution has oneDNN natives" >&2; exit 1
fi
rm -rf "$out/default" "$out/noavx2"
bin/dml4j infer --use_gpu=False --data_dir "$data" --pretrained_model "$ckpt" --output "$out/default" > "$out/default.log"
target-noavx2/dml4j/bin/dml4j infer --use_gpu=False --data_dir "$data" --pretrained_model "$ckpt" \
  --output "$out/noavx2" > "$out/noavx2.log"
/usr/bin/python3 - "$out" <<'PY'
import sys, numpy as np
out = sys.argv[1]
a, b = np.load(out + "/noavx2/features.npy"), np.load(out + "/default/features.npy")
d = float(np.abs(a - b).max() / np.abs(b).max())
print(f"noavx2 build: {a.shape[0]} features, largest relative difference from the default build {d:.1e}")
sys.exit(0 if a.shape == b.shape and d < 1e-5 else 1)
PY
du -sb target/dml4j target-noavx2/dml4j | awk '{printf "%s: %.1f MB\n", $2, $1 / 1e6}'
