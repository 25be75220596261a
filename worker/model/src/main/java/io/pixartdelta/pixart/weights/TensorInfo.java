package io.pixartdelta.pixart.weights;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;

/**
 * Where one stored tensor lives: its file, element type, shape and byte range inside the file.
 *
 * @param name tensor name in the checkpoint
 * @param file the file that holds the bytes
 * @param dtype stored element type
 * @param shape stored shape
 * @param offset absolute byte offset of the first element in {@code file}
 * @param length byte length of the data
 */
public record TensorInfo(
    String name, Path file, StoredType dtype, Shape shape, long offset, long length) {
  public TensorInfo {
    long expected = shape.size() * dtype.bytes();
    if (expected != length) {
      throw new WeightException(
          "corrupt tensor "
              + name
              + " in "
              + file
              + ": "
              + length
              + " bytes for shape "
              + shape
              + " of "
              + dtype
              + " (expected "
              + expected
              + ")");
    }
  }
}
