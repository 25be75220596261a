package io.pixartdelta.pixart.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Symmetric per-row int8 weight quantization: for each row r of a (rows, cols) matrix (the output
 * channels of a linear's (out, in) weight, or the entries of an embedding table), {@code scale[r] =
 * max|w[r]| / 127} (1 for an all-zero row, so nothing divides by zero) and {@code q = round(w /
 * scale)} clamped to [−127, 127]. Dequantization is {@code q · scale}; its error per element is at
 * most {@code scale / 2}.
 */
public final class Int8Rows {
  /** Largest quantized magnitude; −128 is left unused so the range is symmetric. */
  public static final float LEVELS = 127f;

  private Int8Rows() {}

  /**
   * A quantized matrix.
   *
   * @param values (rows, cols) INT8
   * @param scales (rows, 1) per-row scales, broadcastable against {@code values}
   */
  public record Quantized(NDArray values, NDArray scales) {}

  /**
   * Quantizes {@code w} (rows, cols), any float type; the results live in {@code w}'s manager.
   *
   * @param scaleType storage type of the scales (fp32, or the compute type of the layer)
   */
  public static Quantized quantize(NDArray w, DataType scaleType) {
    Shape shape = w.getShape();
    if (shape.dimension() != 2) {
      throw new IllegalArgumentException("expected a (rows, cols) matrix, got " + shape);
    }
    // Full-size temporaries are closed as soon as they are used: on a GPU this runs while loading,
    // and T5-XXL's embedding table alone is 0.5 GiB in fp32.
    NDArray w32 = w.toType(DataType.FLOAT32, false); // (rows, cols)
    NDArray abs = w32.abs(); // (rows, cols)
    NDArray absMax = abs.max(new int[] {1}, true); // (rows, 1)
    abs.close();
    // Zero rows: scale 0 + 1 = 1, and every q is 0.
    NDArray scale = absMax.div(LEVELS).add(absMax.eq(0f).toType(DataType.FLOAT32, false));
    NDArray ratio = w32.div(scale); // (rows, cols)
    if (w32 != w) {
      w32.close();
    }
    NDArray rounded = ratio.round();
    ratio.close();
    NDArray clipped = rounded.clip(-LEVELS, LEVELS);
    rounded.close();
    NDArray q = clipped.toType(DataType.INT8, false); // (rows, cols)
    clipped.close();
    return new Quantized(q, scale.toType(scaleType, false));
  }

  /**
   * {@code values · scales} in {@code type}, created in {@code scope} (never in the weights' capped
   * manager): the scale-type row factors multiply the values cast to {@code type}.
   *
   * @param values (rows, cols) INT8
   * @param scales (rows, 1) in {@code type}
   * @return (rows, cols) in {@code type}, attached to {@code scope}
   */
  public static NDArray dequantize(NDArray values, NDArray scales, DataType type, NDManager scope) {
    // A scope-owned copy of the small scales goes first, so the result is owned by the scope (a
    // weight-first op would attach to the capped weights manager); libtorch promotes int8 × float
    // to the float type, so this is one pass over the (rows, cols) values.
    NDArray rowScales = scope.zeros(new Shape(1, 1), type).add(scales); // (rows, 1)
    return rowScales.mul(values); // (rows, cols)
  }
}
