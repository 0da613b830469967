#!/usr/bin/env bash
# dml4j's Spark jobs in Spark local mode, on this machine:
#   scripts/spark_local.sh infer --data_dir DIR --pretrained_model CKPT --output OUT.parquet [...]
#   scripts/spark_local.sh eval  --embeddings OUT.parquet [--gallery_embeddings G.parquet] [...]
#   scripts/spark_local.sh infer --help
# Builds what it needs first: target/dml4j (mvn package) and the Spark classpath from Maven's
# local repository (target/spark-classpath.txt). SPARK_MASTER (default local[2]) picks the master;
# DML4J_HEAP (default 6g) the JVM heap. On a cluster use spark-submit instead (README "Spark").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then
  echo "usage: scripts/spark_local.sh infer|eval [flags]   (add --help for the flags)" >&2
  exit 2
fi
job="$1"; shift

maven_opts="${MAVEN_OPTS:+$MAVEN_OPTS }-Djansi.noreset=true"   # no ESC[0m from Maven's jansi (see bin/dml4j)
if [ ! -f "$root/target/dml4j/lib/dml4j-0.1.0-SNAPSHOT.jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$root/target/dml4j/lib/dml4j-0.1.0-SNAPSHOT.jar" -print -quit)" ]; then
  echo "spark_local.sh: building (mvn -DskipTests package) ..." >&2
  (cd "$root" && MAVEN_OPTS="$maven_opts" mvn -B -q -Dstyle.color=never -DskipTests package) >&2
fi
classpath="$root/target/spark-classpath.txt"
if [ ! -s "$classpath" ] || [ "$root/pom.xml" -nt "$classpath" ]; then
  echo "spark_local.sh: writing the Spark classpath (mvn dependency:build-classpath) ..." >&2
  (cd "$root" && MAVEN_OPTS="$maven_opts" mvn -B -q -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=provided \
     -Dmdep.outputFile="$classpath.all") >&2
  # Spark's jars, less those target/dml4j/lib already has (one copy of each: one SLF4J binding)
  tr ':' '\n' < "$classpath.all" | while read -r jar; do
    [ -e "$root/target/dml4j/lib/$(basename "$jar")" ] || printf '%s:' "$jar"
  done > "$classpath"
  rm -f "$classpath.all"
fi

# What bin/dml4j sets for ND4J (README "Spark" lists the same for a cluster's executors).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
fi
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-2097152}"
export LC_ALL="${LC_ALL:-C.UTF-8}"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"      # local mode: no network interface needed
mem_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
opens=$(sed -n 's:.*<spark.opens>\(.*\)</spark.opens>.*:\1:p' "$root/pom.xml")
# shellcheck disable=SC2086
exec java -Xmx"${DML4J_HEAP:-6g}" \
  -Dorg.bytedeco.javacpp.maxbytes="${DML4J_OFFHEAP:-$((mem_kb * 60 / 100))k}" \
  -Dorg.bytedeco.javacpp.maxphysicalbytes="$((mem_kb * 90 / 100))k" \
  -Dorg.eclipse.deeplearning4j.helpers.disable=false \
  -Dspark.ui.enabled=false \
  $opens ${DML4J_JAVA_OPTS:-} \
  -cp "$root/target/dml4j/lib/*:$(cat "$classpath")" \
  org.dml4j.cli.SparkCommand "$job" --master "${SPARK_MASTER:-local[2]}" "$@"
