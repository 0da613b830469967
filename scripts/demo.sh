#!/usr/bin/env bash
# The README's first command: the whole pipeline on the closed-split Fashion-MNIST sample that
# ships in data/fashion-mnist-closed-sample, on the CPU: an untrained baseline, train-elem
# (arcmargin), train-pair (eml) from it, eval with a report, infer. Builds dml4j first if needed.
# Extra arguments go to `dml4j demo` (see bin/dml4j demo --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
exec bin/dml4j demo "$@"
