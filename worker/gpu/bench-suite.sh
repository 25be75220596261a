#!/usr/bin/env bash
# The GPU benchmark suite, run on a CUDA box from the project root after sourcing the GPU kit's
# setup (which exports JAVA and DJL's PYTORCH_* variables). Every part prints a markdown table and
# appends it to $OUT/bench.md as it finishes, so a run cut short still reports what it measured.
#   worker/gpu/bench-suite.sh [PART ...]   parts: pipeline anchor parity int8 soak variants
#   (default: all). TESTS (default .gpukit/lib/pixart-model-tests.jar) is the parity suite's jar.
# JAR (default .gpukit/lib/pixart-model.jar) and ANCHOR (default .gpukit/anchor) can be overridden.
set -uo pipefail
OUT=${OUT:-/tmp/bench-out}; mkdir -p "$OUT"
JAR=${JAR:-.gpukit/lib/pixart-model.jar}
ANCHOR=${ANCHOR:-.gpukit/anchor}
STATS=/tmp/libpixart_cuda_stats.so
[ -f $STATS ] || JNI_INCLUDE=.gpukit/jni/jdkinclude worker/gpu/build-allocator-stats.sh $STATS >&2
TESTS=${TESTS:-.gpukit/lib/pixart-model-tests.jar}
parts=${*:-pipeline anchor parity int8 soak variants}
log() { echo "$*" | tee -a "$OUT/bench.md"; }
bench() { # label, java flags, bench args
  local label=$1 flags=$2; shift 2
  log ""; log "### $label"
  log "\`java $flags bench $*\`"
  # shellcheck disable=SC2086
  $JAVA -Dpixart.cuda-stats-lib=$STATS $flags -jar "$JAR" bench --random-weights real \
    --device gpu:0 "$@" 2>"$OUT/stderr-${label// /_}.txt" | tee -a "$OUT/bench.md"
}
log "# GPU bench suite $(date -u +%FT%TZ) on $(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
for p in $parts; do
  case $p in
    pipeline) TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 bench "pipeline fp16 (TF32 for fp32 matmuls)" "" --batch 1,4,8,16 --iterations 5 --stage-memory ;;
    quick) TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 bench "pipeline fp16 (TF32 for fp32 matmuls)" "" --batch 1,8 --iterations 5 ;;
    variants)
      bench "cudnn benchmark" "-Dai.djl.pytorch.cudnn_benchmark=true" --batch 1,8 --iterations 3
      bench "graph optimizer off" "-Dai.djl.pytorch.graph_optimizer=false" --batch 1,8 --iterations 3
      TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 bench "TF32 matmuls" "" --batch 1,8 --iterations 3
      bench "VAE attention in 1024-query chunks" "" --batch 1,8 --iterations 3 --vae-query-chunk 1024 ;;
    int8)
      TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 bench "8 GB mode" "" --t5-int8 --batch 1 --iterations 5 --stage-memory
      CUDNN_CONV_WSCAP_DBG=256 TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 bench "8 GB mode, cuDNN workspace capped at 256 MiB" "" \
        --t5-int8 --batch 1 --iterations 5 --stage-memory ;;
    soak) TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 bench "soak: 500 batches of mixed shapes" "" --soak 500 --batch 1,2,4 --soak-sizes 512,768,1024 ;;
    parity)
      for dt in fp16 fp32; do
        log ""; log "### fixture parity suite on gpu:0, $dt"
        # fp32 must be real fp32: no TF32 in cuBLAS or cuDNN.
        tf32=(); [ $dt = fp32 ] && tf32=(env NVIDIA_TF32_OVERRIDE=0)
        "${tf32[@]}" $JAVA -Dpixart.test.device=gpu:0 -Dpixart.test.dtype=$dt \
          -Dai.djl.offline=true -cp "$JAR:$TESTS" org.junit.platform.console.ConsoleLauncher execute \
          --include-tag parity --select-package io.pixartdelta.pixart --details=summary --disable-banner \
          >"$OUT/parity-$dt.txt" 2>&1
        grep -E "tests (successful|failed|found)" "$OUT/parity-$dt.txt" | tee -a "$OUT/bench.md"
        grep -E "^parity " "$OUT/parity-$dt.txt" | sort -t: -k2 | tail -40 >>"$OUT/bench.md"
      done ;;
    anchor)
      mkdir -p /tmp/anc && tar xJf "$ANCHOR/diffusers-src.tar.xz" -C /tmp/anc
      log ""; log "### diffusers anchor (same machine, same run)"
      PYTHONPATH=/tmp/anc/src python3 "$ANCHOR/diffusers_pixart_lcm.py" --out "$OUT" --skip-t5 2>"$OUT/stderr-anchor.txt" \
        | tee -a "$OUT/bench.md" ;;
    *) echo "unknown part $p" >&2; exit 2 ;;
  esac
done
