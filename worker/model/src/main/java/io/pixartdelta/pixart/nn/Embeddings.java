package io.pixartdelta.pixart.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Fixed sinusoidal embeddings: the 1-D embedding of scalar conditions (timesteps, sizes) and the
 * 2-D sin-cos position embedding of a patch grid (ViT/MAE style, with DiT's base-size rescaling).
 *
 * <p>Ported from diffusers {@code models/embeddings.py}: {@code get_timestep_embedding} and {@code
 * get_2d_sincos_pos_embed} @58eb52c.
 */
public final class Embeddings {
  private Embeddings() {}

  /**
   * Sinusoidal embedding of scalars, computed in float32 with the same op sequence as the reference
   * (frequencies {@code exp(−ln(maxPeriod)·k / (dim/2 − shift))}, k = 0..dim/2−1).
   *
   * @param values (N), any numeric type; used as float32
   * @param dim output width; an odd width gets a zero last column
   * @param flipSinToCos true: {@code [cos, sin]}; false: {@code [sin, cos]}
   * @param downscaleFreqShift subtracted from dim/2 in the frequency denominator (0 or 1 usually)
   * @param maxPeriod the longest wavelength (10000 usually)
   * @return (N, dim) float32, in {@code values}' manager
   */
  public static NDArray sinusoidal(
      NDArray values, int dim, boolean flipSinToCos, float downscaleFreqShift, float maxPeriod) {
    if (values.getShape().dimension() != 1) {
      throw new IllegalArgumentException("values must be 1-D, got " + values.getShape());
    }
    if (dim < 2) {
      throw new IllegalArgumentException("dim must be >= 2, got " + dim);
    }
    int half = dim / 2;
    NDManager manager = values.getManager();
    NDArray exponent =
        manager
            .arange(0f, half, 1f, DataType.FLOAT32)
            .toDevice(values.getDevice(), false)
            .mul((float) -Math.log(maxPeriod))
            .div(half - downscaleFreqShift); // (half)
    NDArray frequencies = exponent.exp().reshape(1, half); // (1, half)
    NDArray args =
        values.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(frequencies); // (N, half)
    NDArray sin = args.sin();
    NDArray cos = args.cos();
    NDArray emb =
        flipSinToCos
            ? NDArrays.concat(new NDList(cos, sin), 1)
            : NDArrays.concat(new NDList(sin, cos), 1); // (N, 2·half)
    if (dim % 2 == 1) {
      NDArray pad = manager.zeros(new Shape(emb.getShape().get(0), 1), DataType.FLOAT32);
      emb = NDArrays.concat(new NDList(emb, pad.toDevice(values.getDevice(), false)), 1);
    }
    return emb;
  }

  /** {@link #sinusoidal(NDArray, int, boolean, float, float)} with max period 10000. */
  public static NDArray sinusoidal(
      NDArray values, int dim, boolean flipSinToCos, float downscaleFreqShift) {
    return sinusoidal(values, dim, flipSinToCos, downscaleFreqShift, 10000f);
  }

  /**
   * The positions of one grid axis as the reference computes them in float32: {@code i / (length /
   * baseSize) / interpolationScale}, so that every grid spans the same range as the base grid.
   *
   * @return (length) positions
   */
  public static float[] gridPositions(int length, double baseSize, double interpolationScale) {
    if (length <= 0 || baseSize <= 0 || interpolationScale <= 0) {
      throw new IllegalArgumentException(
          "length, baseSize and interpolationScale must be > 0, got "
              + length
              + ", "
              + baseSize
              + ", "
              + interpolationScale);
    }
    float stretch = (float) (length / baseSize);
    float scale = (float) interpolationScale;
    float[] positions = new float[length];
    for (int i = 0; i < length; i++) {
      positions[i] = (float) i / stretch / scale;
    }
    return positions;
  }

  /**
   * 1-D sin-cos table: row m is {@code [sin(p_m·ω_0..K−1), cos(p_m·ω_0..K−1)]} with K = dim/2 and
   * {@code ω_k = 10000^(−k/K)}, computed in float64 and rounded to float32 at the end (as the
   * reference does).
   *
   * @param positions (M)
   * @param dim even width
   * @return (M, dim) row-major
   */
  public static float[] sinCos1d(float[] positions, int dim) {
    if (dim <= 0 || dim % 2 != 0) {
      throw new IllegalArgumentException("dim must be even and > 0, got " + dim);
    }
    int k = dim / 2;
    double[] omega = new double[k];
    for (int i = 0; i < k; i++) {
      omega[i] = 1.0 / Math.pow(10000.0, i / (double) k);
    }
    float[] out = new float[positions.length * dim];
    for (int m = 0; m < positions.length; m++) {
      double p = positions[m];
      int row = m * dim;
      for (int i = 0; i < k; i++) {
        double a = p * omega[i];
        out[row + i] = (float) Math.sin(a);
        out[row + k + i] = (float) Math.cos(a);
      }
    }
    return out;
  }

  /**
   * 2-D sin-cos position embedding of a {@code gridH × gridW} patch grid, tokens in row-major order
   * (n = i·gridW + j). The first dim/2 channels encode the column (x) position, the last dim/2 the
   * row (y) position, each with {@link #sinCos1d} over {@link #gridPositions}.
   *
   * @param dim even width (the model's hidden size)
   * @return (gridH·gridW, dim) row-major float32
   */
  public static float[] sinCos2d(
      int gridH, int gridW, int dim, double baseSize, double interpolationScale) {
    if (dim % 2 != 0) {
      throw new IllegalArgumentException("dim must be even, got " + dim);
    }
    int half = dim / 2;
    float[] x = sinCos1d(gridPositions(gridW, baseSize, interpolationScale), half); // (Wp, D/2)
    float[] y = sinCos1d(gridPositions(gridH, baseSize, interpolationScale), half); // (Hp, D/2)
    float[] out = new float[gridH * gridW * dim];
    for (int i = 0; i < gridH; i++) {
      for (int j = 0; j < gridW; j++) {
        int row = (i * gridW + j) * dim;
        System.arraycopy(x, j * half, out, row, half);
        System.arraycopy(y, i * half, out, row + half, half);
      }
    }
    return out;
  }
}
