package io.pixartdelta.worker.render;

/**
 * The status sink refused an event for what it is (e.g. larger than the status topic allows), not
 * because it is unavailable: sending it again cannot succeed. Unlike {@link StatusPublishException}
 * this must not stop the worker, or the job would be redelivered and refused forever; the job is
 * logged and treated as done.
 */
public class StatusRejectedException extends RuntimeException {
  public StatusRejectedException(String jobId, Throwable cause) {
    super("status event of job " + jobId + " was refused by the status topic", cause);
  }

  /** True if {@code error}, or a cause of it, is a {@link StatusRejectedException}. */
  public static boolean isCause(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRejectedException) {
        return true;
      }
    }
    return false;
  }
}
