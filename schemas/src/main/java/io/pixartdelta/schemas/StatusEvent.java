package io.pixartdelta.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A job's progress: the {@code render-status.v1} wire message, keyed by jobId on the status topic.
 *
 * <p>The compact constructor enforces the same rules as {@code render-status.v1.schema.json},
 * including the per-state ones: SUCCEEDED needs startedAt, finishedAt and at least one result;
 * FAILED, EXPIRED and CANCELLED need an error and finishedAt; ACCEPTED and STARTED have neither
 * error nor finishedAt; STARTED needs startedAt; only SUCCEEDED carries results. Build instances
 * with the per-state factories ({@link #accepted}, {@link #started}, {@link #succeeded}, {@link
 * #failed}, {@link #expired}, {@link #cancelled}, {@link #rejected}), the {@code toX} transitions
 * or {@link #builder}.
 *
 * @param schemaVersion always {@value RenderJob#SCHEMA_VERSION}
 * @param jobId the job's idempotency key
 * @param state lifecycle state
 * @param attempt submission attempt from the job record's {@code pixart.attempt} header, from 1
 *     (not a delivery count: a redelivered job reports the same attempt)
 * @param workerId emitting worker (1–128 printable ASCII characters, no spaces)
 * @param eventTime instant the event was emitted
 * @param submittedAt the job's submittedAt, null if the job could not be read
 * @param startedAt instant rendering began, null before
 * @param finishedAt instant the job reached its terminal state, null before
 * @param batchId micro-batch identity, null outside a batch
 * @param batchSize jobs in that micro-batch (1–1024), null outside a batch
 * @param timings per-stage milliseconds, null if none measured
 * @param results stored images, non-empty only for SUCCEEDED; never null
 * @param error failure reason for FAILED, EXPIRED and CANCELLED, null otherwise
 * @param metadata the job's metadata, passed through; never null
 */
public record StatusEvent(
    int schemaVersion,
    String jobId,
    JobState state,
    int attempt,
    String workerId,
    Instant eventTime,
    Instant submittedAt,
    Instant startedAt,
    Instant finishedAt,
    String batchId,
    Integer batchSize,
    StageTimings timings,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ImageResult> results,
    ErrorInfo error,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata) {

  /** Largest micro-batch size an event may report. */
  public static final int MAX_BATCH_SIZE = 1024;

  /** Validates every field, and the rules of its state, against the render-status schema. */
  public StatusEvent {
    Checks.schemaVersion(schemaVersion);
    Checks.jobId(jobId);
    Checks.required("state", state);
    Checks.range("attempt", attempt, 1, Integer.MAX_VALUE);
    Checks.required("workerId", workerId);
    Checks.matches(
        "workerId", workerId, Checks.TOKEN, "1-128 printable ASCII characters without spaces");
    Checks.required("eventTime", eventTime);
    if (batchId != null) {
      Checks.matches(
          "batchId", batchId, Checks.TOKEN, "1-128 printable ASCII characters without spaces");
    }
    if (batchSize != null) {
      Checks.range("batchSize", batchSize, 1, MAX_BATCH_SIZE);
    }
    results = results == null ? List.of() : List.copyOf(results);
    if (results.size() > RenderJob.MAX_IMAGES) {
      throw new IllegalArgumentException(
          "results must have at most " + RenderJob.MAX_IMAGES + " entries, got " + results.size());
    }
    metadata = Checks.metadata("metadata", metadata);
    checkState(state, startedAt, finishedAt, results, error);
  }

  private static void checkState(
      JobState state,
      Instant startedAt,
      Instant finishedAt,
      List<ImageResult> results,
      ErrorInfo error) {
    boolean succeeded = state == JobState.SUCCEEDED;
    boolean failed =
        state == JobState.FAILED || state == JobState.EXPIRED || state == JobState.CANCELLED;
    rule(
        state,
        "startedAt is required",
        startedAt == null && (succeeded || state == JobState.STARTED));
    rule(state, "finishedAt is required", finishedAt == null && state.isTerminal());
    rule(state, "finishedAt must be absent", finishedAt != null && !state.isTerminal());
    rule(state, "results must not be empty", succeeded && results.isEmpty());
    rule(state, "results must be empty", !succeeded && !results.isEmpty());
    rule(state, "error is required", failed && error == null);
    rule(state, "error must be absent", !failed && error != null);
  }

  private static void rule(JobState state, String rule, boolean violated) {
    if (violated) {
      throw new IllegalArgumentException(rule + " for state " + state);
    }
  }

  /** The job was read and queued. */
  public static StatusEvent accepted(RenderJob job, int attempt, String workerId, Instant at) {
    return builder(job, JobState.ACCEPTED)
        .attempt(attempt)
        .workerId(workerId)
        .eventTime(at)
        .build();
  }

  /** Rendering of the job began at {@code at} in batch {@code batchId} of {@code batchSize}. */
  public static StatusEvent started(
      RenderJob job, int attempt, String workerId, Instant at, String batchId, int batchSize) {
    return builder(job, JobState.STARTED)
        .attempt(attempt)
        .workerId(workerId)
        .eventTime(at)
        .startedAt(at)
        .batch(batchId, batchSize)
        .build();
  }

  /** The job's images are stored; emitted at {@code at}, which is also finishedAt. */
  public static StatusEvent succeeded(
      RenderJob job,
      int attempt,
      String workerId,
      Instant startedAt,
      Instant at,
      String batchId,
      int batchSize,
      StageTimings timings,
      List<ImageResult> results) {
    return builder(job, JobState.SUCCEEDED)
        .attempt(attempt)
        .workerId(workerId)
        .eventTime(at)
        .startedAt(startedAt)
        .finishedAt(at)
        .batch(batchId, batchSize)
        .timings(timings)
        .results(results)
        .build();
  }

  /** The job failed at {@code at} for {@code error}. */
  public static StatusEvent failed(
      RenderJob job, int attempt, String workerId, Instant at, ErrorInfo error) {
    return builder(job, JobState.FAILED)
        .attempt(attempt)
        .workerId(workerId)
        .eventTime(at)
        .finishedAt(at)
        .error(error)
        .build();
  }

  /** The job's deadline had passed when the worker reached it at {@code at}. */
  public static StatusEvent expired(RenderJob job, int attempt, String workerId, Instant at) {
    return builder(job, JobState.EXPIRED)
        .attempt(attempt)
        .workerId(workerId)
        .eventTime(at)
        .finishedAt(at)
        .error(
            ErrorInfo.permanent(
                ErrorCodes.DEADLINE_EXCEEDED,
                job.deadline() == null
                    ? "deadline passed at " + at
                    : "deadline " + job.deadline() + " passed at " + at))
        .build();
  }

  /** A cancel request reached the queued job at {@code at}, before rendering started. */
  public static StatusEvent cancelled(
      RenderJob job, int attempt, String workerId, Instant at, String reason) {
    return builder(job, JobState.CANCELLED)
        .attempt(attempt)
        .workerId(workerId)
        .eventTime(at)
        .finishedAt(at)
        .error(
            ErrorInfo.permanent(
                ErrorCodes.CANCELLED,
                reason == null || reason.isBlank()
                    ? "cancelled on request before rendering started"
                    : "cancelled on request before rendering started: " + reason))
        .build();
  }

  /**
   * A message that could not be read as a job (invalid JSON, schema violation) FAILED with {@code
   * error}; {@code jobId} comes from the message key or the message itself.
   */
  public static StatusEvent rejected(
      String jobId, int attempt, String workerId, Instant at, ErrorInfo error) {
    return builder(jobId, JobState.FAILED)
        .attempt(attempt)
        .workerId(workerId)
        .eventTime(at)
        .finishedAt(at)
        .error(error)
        .build();
  }

  /** This event's job moved to STARTED at {@code at} in the given batch. */
  public StatusEvent toStarted(Instant at, String newBatchId, int newBatchSize) {
    return next(JobState.STARTED, at).startedAt(at).batch(newBatchId, newBatchSize).build();
  }

  /** This event's job SUCCEEDED at {@code at}. */
  public StatusEvent toSucceeded(Instant at, StageTimings newTimings, List<ImageResult> images) {
    return next(JobState.SUCCEEDED, at).finishedAt(at).timings(newTimings).results(images).build();
  }

  /** This event's job FAILED at {@code at}. */
  public StatusEvent toFailed(Instant at, ErrorInfo newError) {
    return next(JobState.FAILED, at).finishedAt(at).error(newError).build();
  }

  /** This event's job EXPIRED at {@code at} (its deadline had passed). */
  public StatusEvent toExpired(Instant at) {
    return next(JobState.EXPIRED, at)
        .finishedAt(at)
        .error(ErrorInfo.permanent(ErrorCodes.DEADLINE_EXCEEDED, "deadline passed at " + at))
        .build();
  }

  /** Same job, attempt, worker, submission, start, batch, timings and metadata; new state. */
  private Builder next(JobState newState, Instant at) {
    return new Builder(jobId, newState)
        .attempt(attempt)
        .workerId(workerId)
        .eventTime(at)
        .submittedAt(submittedAt)
        .startedAt(startedAt)
        .batch(batchId, batchSize)
        .timings(timings)
        .metadata(metadata);
  }

  /** A builder for an event of {@code state} about {@code jobId}; attempt defaults to 1. */
  public static Builder builder(String jobId, JobState state) {
    return new Builder(jobId, state);
  }

  /** A builder pre-filled with the job's jobId, submittedAt and metadata. */
  public static Builder builder(RenderJob job, JobState state) {
    return new Builder(job.jobId(), state).submittedAt(job.submittedAt()).metadata(job.metadata());
  }

  /** Mutable builder of {@link StatusEvent}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private final String jobId;
    private final JobState state;
    private int attempt = 1;
    private String workerId;
    private Instant eventTime;
    private Instant submittedAt;
    private Instant startedAt;
    private Instant finishedAt;
    private String batchId;
    private Integer batchSize;
    private StageTimings timings;
    private List<ImageResult> results = List.of();
    private ErrorInfo error;
    private Map<String, String> metadata = Map.of();

    private Builder(String jobId, JobState state) {
      this.jobId = jobId;
      this.state = state;
    }

    /** Sets the delivery attempt (from 1). */
    public Builder attempt(int value) {
      this.attempt = value;
      return this;
    }

    /** Sets the emitting worker's identity. */
    public Builder workerId(String value) {
      this.workerId = value;
      return this;
    }

    /** Sets the emission instant. */
    public Builder eventTime(Instant value) {
      this.eventTime = value;
      return this;
    }

    /** Sets the job's submission instant. */
    public Builder submittedAt(Instant value) {
      this.submittedAt = value;
      return this;
    }

    /** Sets the instant rendering began. */
    public Builder startedAt(Instant value) {
      this.startedAt = value;
      return this;
    }

    /** Sets the instant the job reached its terminal state. */
    public Builder finishedAt(Instant value) {
      this.finishedAt = value;
      return this;
    }

    /** Sets the micro-batch identity and size (both null outside a batch). */
    public Builder batch(String id, Integer size) {
      this.batchId = id;
      this.batchSize = size;
      return this;
    }

    /** Sets the stage timings. */
    public Builder timings(StageTimings value) {
      this.timings = value;
      return this;
    }

    /** Sets the stored images. */
    public Builder results(List<ImageResult> value) {
      this.results = value;
      return this;
    }

    /** Sets the failure reason. */
    public Builder error(ErrorInfo value) {
      this.error = value;
      return this;
    }

    /** Sets the passed-through metadata. */
    public Builder metadata(Map<String, String> value) {
      this.metadata = value;
      return this;
    }

    /** Validates and builds the event. */
    public StatusEvent build() {
      return new StatusEvent(
          RenderJob.SCHEMA_VERSION,
          jobId,
          state,
          attempt,
          workerId,
          eventTime,
          submittedAt,
          startedAt,
          finishedAt,
          batchId,
          batchSize,
          timings,
          results,
          error,
          metadata);
    }
  }
}
