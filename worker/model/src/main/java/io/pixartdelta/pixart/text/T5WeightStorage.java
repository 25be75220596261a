package io.pixartdelta.pixart.text;

/**
 * How the T5 encoder keeps its weights on the device.
 *
 * <ul>
 *   <li>{@link #FULL}: every parameter in its precision-plan type (compute type, fp32 for the norms
 *       and {@code wo}).
 *   <li>{@link #INT8}: the seven linears of every block (q, k, v, o, wi_0, wi_1, wo) and the token
 *       embedding table stored as int8 with one scale per output row (per embedding row), quantized
 *       while loading the ordinary checkpoint and dequantized one layer at a time at use. About a
 *       quarter of the fp32 bytes: what fits T5-XXL into the 8 GB mode.
 * </ul>
 */
public enum T5WeightStorage {
  FULL,
  INT8
}
