#!/usr/bin/env bash
# The whole worker on a GPU box: embedded Kafka (KRaft) and S3 (S3Proxy) in-process, the worker
# rendering on gpu:0 at 1024 px, 4 steps, with real-size random weights (no checkpoint needed),
# driven closed-loop by the producer's load generator. Run from the project root after sourcing the
# GPU kit's setup (JAVA, PYTORCH_*); WORKER_XZ is the xz'd exploded quick-start jar
# (pixart-worker.jar) or WORKER_JAR the jar itself. Extra arguments go to `bench --mode e2e`.
set -uo pipefail
OUT=${OUT:-/tmp/bench-out}; mkdir -p "$OUT"
W=/tmp/gpukit
if [ -n "${WORKER_JAR:-}" ]; then CP=$WORKER_JAR; else
  [ -d $W/pixart-worker ] || tar xJf "${WORKER_XZ:-.gpukit-e2e/pixart-worker.tar.xz}" -C $W
  CP=$W/pixart-worker
fi
STATS=/tmp/libpixart_cuda_stats.so
[ -f $STATS ] || JNI_INCLUDE=.gpukit/jni/jdkinclude worker/gpu/build-allocator-stats.sh $STATS >&2
# fp32 matmuls (T5's feed-forward output) in TF32: BENCHMARKS.md "TF32".
export TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1
echo "### whole worker on $(nvidia-smi --query-gpu=name --format=csv,noheader | head -1), $(date -u +%FT%TZ)" | tee -a "$OUT/e2e.md"
$JAVA -Dpixart.cuda-stats-lib=$STATS -cp "$CP" io.pixartdelta.worker.dev.DevMain bench --mode e2e \
  --size 1024x1024 --steps 4 --warmup 24 --in-flight 32 --duration 60s \
  --set model.random-weights=real --set model.device=gpu:0 --set worker.max-batch-size=8 \
  --set worker.upload-threads=8 --set worker.max-queued-jobs=48 "$@" 2>"$OUT/e2e-stderr.txt" | tee -a "$OUT/e2e.md"
