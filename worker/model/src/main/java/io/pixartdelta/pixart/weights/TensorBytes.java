package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns raw little-endian tensor bytes into an NDArray of the wanted type on a manager's device.
 */
public final class TensorBytes {
  private TensorBytes() {}

  /**
   * Creates the array from {@code bytes} (the whole tensor, little-endian), casting to {@code
   * target} on the manager's device. BF16 is widened to F32 on the host.
   */
  public static NDArray toNDArray(
      TensorInfo info, ByteBuffer bytes, NDManager manager, DataType target) {
    ByteBuffer data = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (info.dtype() == StoredType.BF16) {
      data = bf16ToF32(data);
    }
    ByteBuffer direct = data;
    if (!data.isDirect() || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      direct = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.nativeOrder());
      direct.put(data.duplicate().order(ByteOrder.LITTLE_ENDIAN));
      direct.flip();
    }
    DataType stored = info.dtype().djlType();
    // PyTorch wraps a direct buffer without copying; the copy below detaches the tensor from the
    // (possibly memory-mapped, read-only) file so in-place ops and unmapping are safe.
    NDArray view = manager.create(direct, info.shape(), stored);
    NDArray owned =
        target == null || target == stored ? view.duplicate() : view.toType(target, true);
    view.close();
    return owned;
  }

  /** Widens bfloat16 (the high half of an IEEE float) to float32. */
  static ByteBuffer bf16ToF32(ByteBuffer src) {
    ByteBuffer in = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int n = in.remaining() / 2;
    ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      int bits = (in.getShort() & 0xFFFF) << 16;
      out.putInt(bits);
    }
    out.flip();
    return out;
  }
}
