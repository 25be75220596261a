package io.pixartdelta.pixart.random;

/**
 * The float32 Box–Muller transform ATen applies to blocks of 16 uniforms ({@code
 * normal_fill_16_AVX2}): elements j and j + 8 (j = 0..7) become r·cos θ and r·sin θ with r =
 * sqrt(−2·ln(1 − u_j)) and θ = 2π·u_{j+8}.
 *
 * <p>Bit-exact parity needs the same arithmetic, not just the same formula: the logarithm and the
 * sine/cosine are the Cephes single-precision polynomials of {@code avx_mathfun.h} (not libm), and
 * the shipped libtorch binaries are compiled with floating-point contraction, so most multiply-adds
 * are fused. Each {@link Math#fma} below stands for one such fused instruction; every other
 * operation rounds separately. Checked against every draw of the fixtures (all bit-identical).
 */
// The constants keep the digits of their C sources; the compiler rounds them to float as C does.
@SuppressWarnings("FloatingPointLiteralPrecision")
final class BoxMuller16 {
  /** {@code _mm256_set1_ps(2.0f * c10::pi<double>)}: the double product rounded to float. */
  private static final float TWO_PI = (float) (2.0 * Math.PI);

  private static final float SQRT_HALF = 0.707106781186547524f;
  private static final float[] LOG_POLY = {
    7.0376836292e-2f,
    -1.1514610310e-1f,
    1.1676998740e-1f,
    -1.2420140846e-1f,
    1.4249322787e-1f,
    -1.6668057665e-1f,
    2.0000714765e-1f,
    -2.4999993993e-1f,
    3.3333331174e-1f
  };
  // ln 2 split into a short head (exact in products with small integers) and a tail.
  private static final float LN2_HEAD = 0.693359375f;
  private static final float LN2_TAIL = -2.12194440e-4f;

  private static final float FOUR_OVER_PI = 1.27323954473516f;
  // π/4 split in three parts for the argument reduction.
  private static final float PI4_A = -0.78515625f;
  private static final float PI4_B = -2.4187564849853515625e-4f;
  private static final float PI4_C = -3.77489497744594108e-8f;
  private static final float[] COS_POLY = {
    2.443315711809948e-5f, -1.388731625493765e-3f, 4.166664568298827e-2f
  };
  private static final float[] SIN_POLY = {-1.9515295891e-4f, 8.3321608736e-3f, -1.6666654611e-1f};

  private BoxMuller16() {}

  /** Transforms {@code data[offset .. offset + 16)} from uniforms in [0, 1) to normals in place. */
  static void apply(float[] data, int offset) {
    for (int j = 0; j < 8; j++) {
      float u1 = 1f - data[offset + j]; // (0, 1], so the log is finite
      float u2 = data[offset + j + 8];
      float radius = (float) Math.sqrt(-2f * log(u1)); // sqrt of a float is correctly rounded
      polar(radius, TWO_PI * u2, data, offset + j, offset + j + 8);
    }
  }

  /** Natural log of a positive normal float, Cephes {@code logf} as vectorised by avx_mathfun. */
  static float log(float value) {
    float v = Math.max(value, Float.MIN_NORMAL);
    int bits = Float.floatToRawIntBits(v);
    // v = m · 2^e with the mantissa m moved into [0.5, 1).
    float e = (float) ((bits >>> 23) - 0x7f) + 1f;
    float m = Float.intBitsToFloat((bits & ~0x7f800000) | 0x3f000000);
    float x = m - 1f;
    if (m < SQRT_HALF) {
      // Use 2m − 1 with exponent e − 1 instead, keeping x in [√½ − 1, √2 − 1).
      e = e - 1f;
      x = x + m;
    }
    float z = x * x;
    float y = LOG_POLY[0];
    for (int i = 1; i < LOG_POLY.length; i++) {
      y = Math.fma(y, x, LOG_POLY[i]);
    }
    y = y * x;
    y = Math.fma(y, z, e * LN2_TAIL);
    y = Math.fma(-z, 0.5f, y);
    x = x + y;
    return Math.fma(e, LN2_HEAD, x);
  }

  /**
   * Writes r·cos θ and r·sin θ, with Cephes {@code sinf}/{@code cosf} as in avx_mathfun's {@code
   * sincos256_ps}: octant j from |θ|·4/π rounded up to even, a three-part reduction by j·π/4, then
   * both polynomials on [−π/4, π/4], swapped and sign-corrected per octant.
   */
  private static void polar(float radius, float theta, float[] out, int cosAt, int sinAt) {
    int thetaBits = Float.floatToRawIntBits(theta);
    float x = Float.intBitsToFloat(thetaBits & 0x7fffffff);
    int octant = ((int) (x * FOUR_OVER_PI) + 1) & ~1; // truncation, as cvttps
    float q = octant;
    x = Math.fma(q, PI4_A, x);
    x = Math.fma(q, PI4_B, x);
    x = Math.fma(q, PI4_C, x);

    float z = x * x;
    float cosPoly = Math.fma(COS_POLY[0], z, COS_POLY[1]);
    cosPoly = Math.fma(cosPoly, z, COS_POLY[2]);
    cosPoly = cosPoly * z;
    cosPoly = Math.fma(cosPoly, z, -(z * 0.5f));
    cosPoly = cosPoly + 1f;

    float sinPoly = Math.fma(SIN_POLY[0], z, SIN_POLY[1]);
    sinPoly = Math.fma(sinPoly, z, SIN_POLY[2]);
    sinPoly = sinPoly * z;
    sinPoly = Math.fma(sinPoly, x, x);

    boolean swapPolynomials = (octant & 2) != 0;
    int sinSign = (thetaBits & 0x80000000) ^ ((octant & 4) << 29);
    int cosSign = (~(octant - 2) & 4) << 29;
    float sine = withSign(swapPolynomials ? cosPoly : sinPoly, sinSign);
    float cosine = withSign(swapPolynomials ? sinPoly : cosPoly, cosSign);
    out[cosAt] = radius * cosine;
    out[sinAt] = radius * sine;
  }

  private static float withSign(float magnitude, int signBit) {
    return Float.intBitsToFloat(Float.floatToRawIntBits(magnitude) ^ signBit);
  }
}
