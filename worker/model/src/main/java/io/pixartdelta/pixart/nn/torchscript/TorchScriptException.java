package io.pixartdelta.pixart.nn.torchscript;

/**
 * A TorchScript module could not be built: its source does not compile or its archive does not
 * load. This is a defect in the project's own source text or an incompatible libtorch, never a
 * property of a job: fatal at start-up, do not retry.
 */
public class TorchScriptException extends RuntimeException {
  public TorchScriptException(String message, Throwable cause) {
    super(message, cause);
  }

  public TorchScriptException(String message) {
    super(message);
  }
}
