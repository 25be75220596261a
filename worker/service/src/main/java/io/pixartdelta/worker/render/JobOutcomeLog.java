package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.RenderJob;
import io.pixartdelta.schemas.StatusEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One INFO line per job as its terminal status goes out, in the job's log context (jobId,
 * promptSha256, and batchId when it was rendered): what log searches by job id find. The state and
 * error code are also key-value pairs (fields of their own in the JSON format).
 */
final class JobOutcomeLog {
  private static final Logger LOG = LoggerFactory.getLogger(JobOutcomeLog.class);

  private JobOutcomeLog() {}

  static void ended(RenderJob job, StatusEvent event) {
    JobLogContext context = JobLogContext.job(job);
    try {
      LoggingEventBuilder line = LOG.atInfo().addKeyValue("state", event.state().name());
      if (event.error() == null) {
        line.log("job {} {}", job.jobId(), event.state());
      } else {
        line.addKeyValue("errorCode", event.error().code())
            .log(
                "job {} {}: {} ({})",
                job.jobId(),
                event.state(),
                event.error().code(),
                event.error().message());
      }
    } finally {
      context.close();
    }
  }
}
