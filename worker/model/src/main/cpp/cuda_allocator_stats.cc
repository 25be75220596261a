// JNI bridge for io.pixartdelta.pixart.cli.CudaAllocatorStats: the CUDA caching allocator's own
// byte counters (what torch.cuda.max_memory_allocated / reset_peak_memory_stats read in Python),
// which DJL does not expose. Built against the libtorch that DJL loads; see
// worker/gpu/build-allocator-stats.sh.
#include <jni.h>

#include <c10/cuda/CUDACachingAllocator.h>

namespace {
// Index 0 of every stat array is the aggregate over small and large pools.
constexpr size_t kAggregate = 0;
}  // namespace

extern "C" {

JNIEXPORT jlongArray JNICALL Java_io_pixartdelta_pixart_cli_CudaAllocatorStats_read(
    JNIEnv* env, jclass, jint device) {
  auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device));
  jlong values[4] = {
      static_cast<jlong>(stats.allocated_bytes[kAggregate].current),
      static_cast<jlong>(stats.allocated_bytes[kAggregate].peak),
      static_cast<jlong>(stats.reserved_bytes[kAggregate].current),
      static_cast<jlong>(stats.reserved_bytes[kAggregate].peak)};
  jlongArray out = env->NewLongArray(4);
  env->SetLongArrayRegion(out, 0, 4, values);
  return out;
}

JNIEXPORT void JNICALL Java_io_pixartdelta_pixart_cli_CudaAllocatorStats_resetPeak(
    JNIEnv*, jclass, jint device) {
  c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device));
}
}
