package io.pixartdelta.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pixartdelta.schemas.ImageResult;
import io.pixartdelta.schemas.JobState;
import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import io.pixartdelta.worker.storage.S3Uri;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What a fault suite saw on the status topic and in S3: printed for the CI log, and checked the
 * same way by every suite (every job SUCCEEDED, one object per image, duplicates counted).
 */
final class FaultEvidence {
  /**
   * S3Proxy's in-memory store writes an upload to {@code <key>-<uuid>} and renames it when the body
   * is complete; a connection killed mid-upload leaves that file listed. Real S3 never shows an
   * incomplete PUT, so these are counted and printed, not taken for objects.
   */
  private static final Pattern S3PROXY_PARTIAL =
      Pattern.compile(".*-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private FaultEvidence() {}

  /** Events per job, in the order seen. */
  static Map<String, List<StatusEvent>> byJob(List<StatusEvent> events) {
    Map<String, List<StatusEvent>> jobs = new TreeMap<>();
    for (StatusEvent event : events) {
      jobs.computeIfAbsent(event.jobId(), id -> new ArrayList<>()).add(event);
    }
    return jobs;
  }

  /** Terminal events beyond the first one of each job (redone work reported again). */
  static int duplicateTerminals(List<StatusEvent> events) {
    Set<String> seen = new HashSet<>();
    int duplicates = 0;
    for (StatusEvent event : events) {
      if (event.state().isTerminal() && !seen.add(event.jobId())) {
        duplicates++;
      }
    }
    return duplicates;
  }

  /** Job ids that {@code workerId} reported in {@code state}. */
  static Set<String> jobsIn(List<StatusEvent> events, String workerId, JobState state) {
    return events.stream()
        .filter(e -> e.workerId().equals(workerId) && e.state() == state)
        .map(StatusEvent::jobId)
        .collect(Collectors.toCollection(HashSet::new));
  }

  /** Prints counts per state and worker, duplicate terminals, and one line per job. */
  static void print(String title, List<StatusEvent> events) {
    Map<String, Integer> counts = new TreeMap<>();
    for (StatusEvent event : events) {
      counts.merge(event.workerId() + " " + event.state(), 1, Integer::sum);
    }
    System.out.printf(
        "== %s: %d events, %d duplicate terminal events%n  per worker and state: %s%n",
        title, events.size(), duplicateTerminals(events), counts);
    for (Map.Entry<String, List<StatusEvent>> job : byJob(events).entrySet()) {
      String line =
          job.getValue().stream()
              .map(
                  e ->
                      e.state()
                          + "("
                          + e.workerId()
                          + (e.error() == null ? "" : " " + e.error().code())
                          + ")")
              .collect(Collectors.joining(" "));
      System.out.printf("  %s: %s%n", job.getKey(), line);
    }
  }

  /** Every job ended SUCCEEDED, and no event of any job says FAILED or EXPIRED. */
  static void assertAllSucceeded(List<StatusEvent> events, Collection<String> jobIds) {
    Map<String, List<StatusEvent>> jobs = byJob(events);
    for (String id : jobIds) {
      assertThat(jobs.get(id)).as(id).isNotNull();
      assertThat(jobs.get(id))
          .as(id)
          .filteredOn(e -> e.state().isTerminal())
          .isNotEmpty()
          .extracting(StatusEvent::state)
          .containsOnly(JobState.SUCCEEDED);
    }
  }

  /**
   * Exactly one object per image under {@code prefix}: the objects are the jobs' image keys, no
   * more, and every SUCCEEDED event (duplicates included) reports the stored bytes.
   */
  static void assertOneObjectPerImage(
      S3Client s3, String prefix, Collection<RenderJob> jobs, List<StatusEvent> events) {
    List<String> listed =
        s3
            .listObjectsV2Paginator(b -> b.bucket(E2EStack.BUCKET).prefix(prefix + "/"))
            .contents()
            .stream()
            .map(S3Object::key)
            .sorted()
            .toList();
    List<String> keys = listed.stream().filter(k -> !S3PROXY_PARTIAL.matcher(k).matches()).toList();
    List<String> expected = new ArrayList<>();
    for (RenderJob job : jobs) {
      for (int i = 0; i < job.numImages(); i++) {
        expected.add(prefix + "/" + job.jobId() + "/" + i + ".png");
      }
    }
    System.out.printf(
        "  S3: %d objects under %s/ for %d images%n", keys.size(), prefix, expected.size());
    assertThat(keys).containsExactlyInAnyOrderElementsOf(expected);
    Map<String, String> sha256 = new LinkedHashMap<>();
    for (StatusEvent event : events) {
      if (event.state() != JobState.SUCCEEDED) {
        continue;
      }
      for (ImageResult result : event.results()) {
        String stored = sha256.computeIfAbsent(result.uri(), uri -> sha256(read(s3, uri)));
        assertThat(result.sha256()).as(result.uri()).isEqualTo(stored);
      }
    }
  }

  private static byte[] read(S3Client s3, String uri) {
    S3Uri location = S3Uri.parse(uri);
    return s3.getObjectAsBytes(b -> b.bucket(location.bucket()).key(location.key())).asByteArray();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
