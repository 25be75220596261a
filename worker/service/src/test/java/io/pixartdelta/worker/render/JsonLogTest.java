package io.pixartdelta.worker.render;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pixartdelta.schemas.RenderJob;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Issue 13, logs: the shipped opt-in config (logback-json.xml) writes one JSON object per line with
 * a zoned timestamp, level, thread and the job's MDC fields, and the prompt only as a digest.
 */
class JsonLogTest {
  private static final String PROMPT = "a portrait of Jane Doe at 12 Elm Street";

  @Test
  void theJsonConfigWritesZonedTimestampLevelThreadAndTheJobContext() throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter()); // the SLF4J MDC that JobLogContext writes
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getResource("/logback-json.xml"));
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> stdout =
        (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    stdout.setOutputStream(captured);
    RenderJob job = RenderJob.builder("job-42", PROMPT).size(256, 256).seed(1L).steps(1).build();

    JobLogContext batch = JobLogContext.batch("w-1-b7");
    JobLogContext inJob = JobLogContext.job(job, "w-1-b7");
    context.getLogger("io.pixartdelta.worker.render.RenderService").info("job done");
    inJob.close();
    context.getLogger("io.pixartdelta.worker.render.RenderService").info("batch done");
    batch.close();
    context.stop();

    List<JsonNode> lines = new ArrayList<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      lines.add(new ObjectMapper().readTree(line));
    }
    assertThat(lines).hasSize(2);
    JsonNode first = lines.get(0);
    assertThat(OffsetDateTime.parse(first.get("@timestamp").asText()).getOffset().getTotalSeconds())
        .isZero();
    assertThat(first.get("@timestamp").asText()).endsWith("Z");
    assertThat(first.get("level").asText()).isEqualTo("INFO");
    assertThat(first.get("thread_name").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(first.get("message").asText()).isEqualTo("job done");
    assertThat(first.get("jobId").asText()).isEqualTo("job-42");
    assertThat(first.get("batchId").asText()).isEqualTo("w-1-b7");
    assertThat(first.get("promptSha256").asText())
        .hasSize(64)
        .isEqualTo(JobLogContext.promptSha256(PROMPT));
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("Jane Doe");
    // Closing the job's context restores the batch's.
    assertThat(lines.get(1).has("jobId")).isFalse();
    assertThat(lines.get(1).get("batchId").asText()).isEqualTo("w-1-b7");
    assertThat(MDC.get(JobLogContext.BATCH_ID)).isNull();
  }
}
