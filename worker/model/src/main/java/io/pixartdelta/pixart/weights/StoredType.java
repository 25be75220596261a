package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.types.DataType;

/** Element types a checkpoint may store, with their on-disk widths. */
public enum StoredType {
  F32(4),
  F16(2),
  BF16(2),
  F64(8),
  I64(8),
  I32(4),
  I8(1),
  U8(1),
  BOOL(1);

  private final int bytes;

  StoredType(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }

  /** Parses a safetensors dtype string ("F32", "BF16", ...). */
  public static StoredType fromSafetensors(String code) {
    switch (code) {
      case "F32":
        return F32;
      case "F16":
        return F16;
      case "BF16":
        return BF16;
      case "F64":
        return F64;
      case "I64":
        return I64;
      case "I32":
        return I32;
      case "I8":
        return I8;
      case "U8":
        return U8;
      case "BOOL":
        return BOOL;
      default:
        throw new IllegalArgumentException("unsupported safetensors dtype " + code);
    }
  }

  /** The safetensors dtype string of this type. */
  public String safetensorsCode() {
    return name();
  }

  /**
   * The DJL type that can hold these bytes as they are; BF16 has none in DJL's PyTorch binding and
   * is widened to F32 on the host.
   */
  public DataType djlType() {
    switch (this) {
      case F32:
      case BF16:
        return DataType.FLOAT32;
      case F16:
        return DataType.FLOAT16;
      case F64:
        return DataType.FLOAT64;
      case I64:
        return DataType.INT64;
      case I32:
        return DataType.INT32;
      case I8:
        return DataType.INT8;
      case U8:
        return DataType.UINT8;
      case BOOL:
        return DataType.BOOLEAN;
      default:
        throw new AssertionError(this);
    }
  }
}
