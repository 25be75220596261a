package io.pixartdelta.pixart.weights;

/** IEEE 754 half-precision conversions (Java 17 has no {@code Float.float16ToFloat}). */
public final class Float16 {
  private Float16() {}

  /**
   * Converts the half-precision bits {@code h} to a float, exactly (incl. subnormals, inf, NaN).
   */
  public static float toFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
