package io.pixartdelta.pixart.weights;

/**
 * A checkpoint cannot be used: a file is missing or corrupt, a tensor is missing, unexpected or has
 * the wrong shape. The message names the file and the tensor. Fatal at start-up: do not consume.
 */
public class WeightException extends RuntimeException {
  public WeightException(String message) {
    super(message);
  }

  public WeightException(String message, Throwable cause) {
    super(message, cause);
  }
}
