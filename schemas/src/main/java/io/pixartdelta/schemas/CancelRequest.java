package io.pixartdelta.schemas;

import java.time.Instant;

/**
 * A request to cancel a job that has not started rendering ({@code render-cancel.v1}).
 *
 * <p>It travels on the jobs topic, keyed by {@link #jobId()} like the job itself (so it follows the
 * job in its partition), and is told apart from jobs by the record header {@value #HEADER} =
 * {@value #TYPE}. A worker ends a queued job CANCELLED; a job that has started, has finished or
 * that it does not hold is left as it is.
 *
 * @param schemaVersion always {@value RenderJob#SCHEMA_VERSION}
 * @param jobId the job to cancel
 * @param reason why, for humans (at most {@value #MAX_REASON_LENGTH} characters), or null
 * @param requestedAt when the client asked
 */
public record CancelRequest(int schemaVersion, String jobId, String reason, Instant requestedAt) {
  /** Record header that marks a message on the jobs topic as something other than a job. */
  public static final String HEADER = "pixart.message-type";

  /** {@link #HEADER}'s value for a cancel request. */
  public static final String TYPE = "cancel";

  /** Longest {@link #reason()}. */
  public static final int MAX_REASON_LENGTH = 512;

  /** Validates every field against the render-cancel schema's rules. */
  public CancelRequest {
    Checks.schemaVersion(schemaVersion);
    Checks.jobId(jobId);
    if (reason != null) {
      Checks.maxLength("reason", reason, MAX_REASON_LENGTH);
    }
    Checks.required("requestedAt", requestedAt);
  }

  /** A request to cancel {@code jobId}, made at {@code at}; {@code reason} may be null. */
  public static CancelRequest of(String jobId, String reason, Instant at) {
    return new CancelRequest(RenderJob.SCHEMA_VERSION, jobId, reason, at);
  }
}
