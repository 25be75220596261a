package io.pixartdelta.producer;

import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.StatusEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Correlates status events with submitted jobs by job id; the Kafka-free core of {@link
 * RenderClient}.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>Progress follows {@link StatusOrder}: an event that does not advance a job is a duplicate
 *       or stale and is dropped.
 *   <li>The first terminal event completes the job whatever its order (a late terminal of attempt 1
 *       still ends the job).
 *   <li>Events of jobs nobody waits for are remembered (latest per job, bounded LRU) so that a
 *       submission made after its job's terminal event was read — a restart with look-back, or a
 *       resubmission — completes at once without sending the job again.
 *   <li>A job id that was sent (by this client or found in the jobs topic during look-back) or that
 *       has status events is never sent again; a resubmission just waits for it. The decision is
 *       taken by {@link #claimSend} when the job is about to be sent, i.e. after the look-back.
 * </ul>
 *
 * <p>Thread-safe. {@link #accept} is meant to be called from one thread (the status consumer), so
 * each job's listener sees its events in order. Listeners and future completions run outside the
 * lock.
 */
final class StatusTracker {
  private static final Logger LOG = LoggerFactory.getLogger(StatusTracker.class);

  /**
   * The decision of {@link #track}: the future to return, and whether this call started a new wait
   * (then the caller should try {@link #claimSend} once it may send).
   */
  record Tracking(CompletableFuture<JobResult> future, boolean started) {}

  /** What is known about a job nobody currently waits for. */
  private record Known(StatusEvent latest, boolean submitted) {}

  private static final class Pending {
    final String jobId;
    final CompletableFuture<JobResult> future = new CompletableFuture<>();
    final List<JobProgressListener> listeners = new CopyOnWriteArrayList<>();
    boolean submitted;
    Instant deadline;
    Duration timeout;
    StatusEvent latest;

    Pending(String jobId, Instant deadline, Duration timeout, boolean submitted) {
      this.jobId = jobId;
      this.deadline = deadline;
      this.timeout = timeout;
      this.submitted = submitted;
    }
  }

  private final Object lock = new Object();
  private final Map<String, Pending> pending = new HashMap<>();
  private final Map<String, Known> known;

  /**
   * @param maxRemembered how many jobs without a waiting caller are remembered (oldest forgotten
   *     first)
   */
  StatusTracker(int maxRemembered) {
    if (maxRemembered < 1) {
      throw new IllegalArgumentException("maxRemembered: must be >= 1, got " + maxRemembered);
    }
    this.known =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
            return size() > maxRemembered;
          }
        };
  }

  /**
   * Starts waiting for a job, or joins the wait already running for the same id.
   *
   * @param deadline when the wait times out (a join extends it to the later of both)
   * @param timeout the duration behind {@code deadline}, reported in {@link JobTimeoutException}
   * @param listener progress callback, or {@code null}; it immediately gets the latest known event
   */
  Tracking track(String jobId, Instant deadline, Duration timeout, JobProgressListener listener) {
    Pending joined;
    StatusEvent replay;
    boolean started;
    synchronized (lock) {
      Pending existing = pending.get(jobId);
      if (existing != null) {
        if (listener != null) {
          existing.listeners.add(listener);
        }
        if (deadline.isAfter(existing.deadline)) {
          existing.deadline = deadline;
          existing.timeout = timeout;
        }
        joined = existing;
        replay = existing.latest;
        started = false;
      } else {
        Known k = known.get(jobId);
        if (k != null && k.latest() != null && k.latest().state().isTerminal()) {
          StatusEvent terminal = k.latest();
          notify(listener, terminal);
          return new Tracking(
              CompletableFuture.completedFuture(new JobResult(terminal)), /* started= */ false);
        }
        joined = new Pending(jobId, deadline, timeout, k != null);
        joined.latest = k == null ? null : k.latest();
        if (listener != null) {
          joined.listeners.add(listener);
        }
        known.remove(jobId);
        pending.put(jobId, joined);
        replay = joined.latest;
        started = true;
      }
    }
    if (replay != null) {
      notify(listener, replay);
    }
    return new Tracking(joined.future, started);
  }

  /**
   * Claims the right to send a tracked job: true exactly once per job id, and only while it is
   * waited for, has no status event and was not seen in the jobs topic.
   */
  boolean claimSend(String jobId) {
    synchronized (lock) {
      Pending p = pending.get(jobId);
      if (p == null || p.submitted || p.latest != null) {
        return false;
      }
      p.submitted = true;
      return true;
    }
  }

  /**
   * Claims the right to send a job nobody waits for (fire-and-forget): false when the id is
   * tracked, was sent, or has status events.
   */
  boolean claimUntracked(String jobId) {
    synchronized (lock) {
      if (pending.containsKey(jobId) || known.containsKey(jobId)) {
        return false;
      }
      known.put(jobId, new Known(null, true));
      return true;
    }
  }

  /** A fire-and-forget send failed: forget the claim so the id can be sent again. */
  void unclaimUntracked(String jobId) {
    synchronized (lock) {
      Known k = known.get(jobId);
      if (k != null && k.latest() == null) {
        known.remove(jobId);
      }
    }
  }

  /** Records that a job with this id was already sent to the jobs topic (seen during look-back). */
  void markSubmitted(String jobId) {
    synchronized (lock) {
      Pending p = pending.get(jobId);
      if (p != null) {
        p.submitted = true;
        return;
      }
      Known k = known.get(jobId);
      known.put(jobId, new Known(k == null ? null : k.latest(), true));
    }
  }

  /** Feeds one status event (possibly duplicated, stale or for an unknown job). */
  void accept(StatusEvent event) {
    Pending target;
    boolean terminal = event.state().isTerminal();
    synchronized (lock) {
      target = pending.get(event.jobId());
      if (target == null) {
        remember(event);
        return;
      }
      if (!terminal && !StatusOrder.advances(target.latest, event)) {
        return;
      }
      target.latest = event;
      if (terminal) {
        pending.remove(event.jobId());
        known.put(event.jobId(), new Known(event, true));
      }
    }
    for (JobProgressListener listener : target.listeners) {
      notify(listener, event);
    }
    if (terminal) {
      target.future.complete(new JobResult(event));
    }
  }

  /**
   * The job could not be sent (after {@link #claimSend}, or before it because Kafka is
   * unreachable): fail its wait and forget it, so a later submission sends again.
   */
  void sendFailed(String jobId, Throwable cause) {
    Pending target;
    synchronized (lock) {
      target = pending.remove(jobId);
      if (target == null) {
        return;
      }
    }
    target.future.completeExceptionally(cause);
  }

  /**
   * Fails every wait whose deadline is at or before {@code now} with {@link JobTimeoutException}.
   */
  void expireOverdue(Instant now) {
    List<Pending> overdue = new ArrayList<>();
    synchronized (lock) {
      var it = pending.values().iterator();
      while (it.hasNext()) {
        Pending p = it.next();
        if (!p.deadline.isAfter(now)) {
          it.remove();
          if (p.submitted || p.latest != null) {
            // Sent and maybe still running: a resubmission must wait, not send again.
            known.put(p.jobId, new Known(p.latest, true));
          }
          overdue.add(p);
        }
      }
    }
    for (Pending p : overdue) {
      JobState last = p.latest == null ? null : p.latest.state();
      p.future.completeExceptionally(new JobTimeoutException(p.jobId, p.timeout, last));
    }
  }

  /** Fails every wait (client closing or status consumer dead). */
  void failAll(Throwable cause) {
    List<Pending> all;
    synchronized (lock) {
      all = new ArrayList<>(pending.values());
      pending.clear();
    }
    for (Pending p : all) {
      p.future.completeExceptionally(cause);
    }
  }

  /** Number of jobs currently waited for. */
  int pendingCount() {
    synchronized (lock) {
      return pending.size();
    }
  }

  /** The latest event seen for a job nobody waits for, or {@code null}. */
  StatusEvent remembered(String jobId) {
    synchronized (lock) {
      Known k = known.get(jobId);
      return k == null ? null : k.latest();
    }
  }

  private void remember(StatusEvent event) {
    Known k = known.get(event.jobId());
    if (k == null) {
      known.put(event.jobId(), new Known(event, false));
    } else if (StatusOrder.supersedes(k.latest(), event)) {
      known.put(event.jobId(), new Known(event, k.submitted()));
    }
  }

  private static void notify(JobProgressListener listener, StatusEvent event) {
    if (listener == null) {
      return;
    }
    try {
      listener.onStatus(event);
    } catch (RuntimeException e) {
      LOG.warn("progress listener failed for job {} ({}); ignored", event.jobId(), e.toString());
    }
  }
}
