package io.pixartdelta.producer;

import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StatusEvent;

/**
 * The order of a job's status events, as consumers must apply it: the worker delivers them at least
 * once, a redelivered job repeats its events under the same attempt and a resubmitted one (higher
 * {@code pixart.attempt} header) starts a new attempt, so the stream may hold duplicates, stale
 * events and several attempts.
 *
 * <p>Events are ordered by (attempt, state rank) with ACCEPTED &lt; STARTED &lt; terminal; the
 * first terminal event is the job's outcome.
 */
public final class StatusOrder {
  private StatusOrder() {}

  /** Strictly later in (attempt, state rank): equal means duplicate, lower means stale. */
  public static boolean advances(StatusEvent current, StatusEvent next) {
    if (current == null) {
      return true;
    }
    if (next.attempt() != current.attempt()) {
      return next.attempt() > current.attempt();
    }
    return rank(next.state()) > rank(current.state());
  }

  /** Whether {@code next} replaces {@code current} as the job's latest known event. */
  public static boolean supersedes(StatusEvent current, StatusEvent next) {
    if (current == null) {
      return true;
    }
    if (current.state().isTerminal()) {
      return false; // the first terminal event is the outcome
    }
    return next.state().isTerminal() || advances(current, next);
  }

  /** ACCEPTED 0, STARTED 1, every terminal state 2. */
  public static int rank(JobState state) {
    return switch (state) {
      case ACCEPTED -> 0;
      case STARTED -> 1;
      case SUCCEEDED, FAILED, EXPIRED, CANCELLED -> 2;
    };
  }
}
