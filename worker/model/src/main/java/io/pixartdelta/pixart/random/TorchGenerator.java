package io.pixartdelta.pixart.random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A reproduction of {@code torch.Generator(device="cpu").manual_seed(seed)} for {@code
 * torch.randn(shape, generator=g, dtype=torch.float32)}: same seed, same draws in the same order,
 * same float32 values. State carries over from one draw to the next, exactly as with one torch
 * generator, so a pipeline that draws the initial latents and then one noise tensor per step from a
 * per-image generator reproduces the reference's randomness.
 *
 * <p>ATen takes one of two paths, by element count:
 *
 * <ul>
 *   <li><b>16 or more</b>: one float uniform u = (next32 &amp; 0xFFFFFF)·2⁻²⁴ per element in order,
 *       then the Box–Muller transform on each full block of 16 ({@link BoxMuller16}); if the count
 *       is not a multiple of 16, 16 fresh uniforms are drawn and transformed into the <em>last</em>
 *       16 elements, overwriting part of the previous block.
 *   <li><b>fewer than 16</b>: element by element in double precision. Each new pair takes two
 *       53-bit uniforms (each from two 32-bit outputs, high half first), gives r·cos θ as the
 *       element and keeps r·sin θ as a spare that the next small-path element uses first. A large
 *       draw neither uses nor clears the spare; only a new seed does.
 * </ul>
 *
 * <p>Only the low 32 bits of the seed matter (seed 2³² + 5 draws what seed 5 draws). Not
 * thread-safe: use one generator per image and thread.
 */
public final class TorchGenerator {
  /** Below this element count ATen uses the serial double-precision path. */
  private static final int VECTOR_PATH_MIN = 16;

  private static final double UNIFORM53_SCALE = 0x1p-53;
  private static final float UNIFORM24_SCALE = 0x1p-24f;
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private final long seed;
  private final Mt19937 engine;
  private boolean hasSpare;
  private double spare;

  /** A generator in the state {@code manual_seed(seed)} leaves a fresh torch CPU generator in. */
  public TorchGenerator(long seed) {
    this.seed = seed;
    this.engine = new Mt19937(seed);
  }

  /** The seed this generator was created with (as given, before the mod-2³² reduction). */
  public long seed() {
    return seed;
  }

  /**
   * Draws standard normal values, row-major, as {@code torch.randn(shape)} would.
   *
   * @param shape dimensions, each ≥ 0; no dimensions means one scalar value
   * @return the values in row-major order
   */
  public float[] randn(long... shape) {
    return randn(elementCount(shape));
  }

  /**
   * Same draw as {@link #randn(long...)}, as a float32 array of {@code manager} (on its device).
   *
   * @param manager owner of the returned array
   * @param shape the array's shape
   */
  public NDArray randn(NDManager manager, Shape shape) {
    return manager.create(randn(shape.getShape()), shape);
  }

  private float[] randn(int count) {
    float[] out = new float[count];
    if (count < VECTOR_PATH_MIN) {
      for (int i = 0; i < count; i++) {
        out[i] = (float) nextDoubleNormal();
      }
      return out;
    }
    for (int i = 0; i < count; i++) {
      out[i] = nextFloatUniform();
    }
    for (int block = 0; block + VECTOR_PATH_MIN <= count; block += VECTOR_PATH_MIN) {
      BoxMuller16.apply(out, block);
    }
    if (count % VECTOR_PATH_MIN != 0) {
      int tail = count - VECTOR_PATH_MIN;
      for (int i = tail; i < count; i++) {
        out[i] = nextFloatUniform();
      }
      BoxMuller16.apply(out, tail);
    }
    return out;
  }

  /** {@code at::normal_distribution<double>} with mean 0 and standard deviation 1. */
  private double nextDoubleNormal() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double u1 = nextDoubleUniform();
    double u2 = nextDoubleUniform();
    double radius = Math.sqrt(-2.0 * Math.log1p(-u2)); // log(1 − u2), u2 ∈ [0, 1)
    double theta = 2.0 * Math.PI * u1;
    spare = radius * Math.sin(theta);
    hasSpare = true;
    return radius * Math.cos(theta);
  }

  private float nextFloatUniform() {
    return (engine.nextInt() & 0xFFFFFF) * UNIFORM24_SCALE;
  }

  private double nextDoubleUniform() {
    return (engine.nextLong() & ((1L << 53) - 1)) * UNIFORM53_SCALE;
  }

  private static int elementCount(long[] shape) {
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("shape: negative dimension " + d);
      }
    }
    long count = 1;
    for (long d : shape) {
      if (d == 0) {
        return 0;
      }
      if (count > MAX_ELEMENTS / d) {
        throw new IllegalArgumentException("shape: more than " + MAX_ELEMENTS + " elements");
      }
      count *= d;
    }
    return (int) count;
  }
}
