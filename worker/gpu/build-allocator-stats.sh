#!/usr/bin/env bash
# Builds libpixart_cuda_stats.so (worker/model/src/main/cpp/cuda_allocator_stats.cc) against the libtorch
# that DJL loads (PYTORCH_LIBRARY_PATH, or python3's torch), for `bench` on a GPU:
#   java -Dpixart.cuda-stats-lib=$PWD/libpixart_cuda_stats.so -jar pixart-model.jar bench ...
# Arguments: output path (default ./libpixart_cuda_stats.so). Needs g++, the JDK's or a copy of its
# JNI headers (JNI_INCLUDE, default $JAVA_HOME/include) and CUDA's runtime headers.
set -euo pipefail
out=${1:-libpixart_cuda_stats.so}
root=$(cd "$(dirname "$0")/../.." && pwd)
lib=${PYTORCH_LIBRARY_PATH:-$(python3 -c 'import torch,os;print(os.path.join(os.path.dirname(torch.__file__),"lib"))')}
inc=$(dirname "$lib")/include
jni=${JNI_INCLUDE:-${JAVA_HOME:-/usr/lib/jvm/default-java}/include}
cuda=""
for d in /usr/local/cuda/include "$(dirname "$lib")/../nvidia/cuda_runtime/include" "$(dirname "$lib")/../nvidia/cu13/include"; do
  [ -f "$d/cuda_runtime_api.h" ] && cuda="$cuda -I$d"
done
g++ -shared -fPIC -O2 -std=c++17 -D_GLIBCXX_USE_CXX11_ABI=1 -I"$inc" -I"$inc/torch/csrc/api/include" \
  -I"$jni" -I"$jni/linux" $cuda "$root/worker/model/src/main/cpp/cuda_allocator_stats.cc" -o "$out" \
  -L"$lib" -lc10 -lc10_cuda -Wl,-rpath,"$lib"
echo "built $out against $lib"
