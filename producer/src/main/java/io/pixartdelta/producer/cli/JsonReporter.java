package io.pixartdelta.producer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pixartdelta.producer.JobTimeoutException;
import io.pixartdelta.schemas.JsonCodec;
import io.pixartdelta.schemas.StatusEvent;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * One JSON object per line, each with a {@code type}: {@code sent}, {@code status} (with the status
 * event as published under {@code event}), {@code timeout}, {@code error}, {@code download}, {@code
 * summary}.
 */
final class JsonReporter implements Reporter {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final PrintWriter out;

  JsonReporter(PrintWriter out) {
    this.out = out;
  }

  static ObjectNode line(String type, String jobId) {
    ObjectNode node = MAPPER.createObjectNode().put("type", type);
    if (jobId != null) {
      node.put("jobId", jobId);
    }
    return node;
  }

  static ObjectNode statusLine(StatusEvent event) {
    ObjectNode node = line("status", event.jobId()).put("state", event.state().name());
    node.set("event", JsonCodec.shared().parse(JsonCodec.shared().encode(event)));
    return node;
  }

  private synchronized void emit(ObjectNode node) {
    try {
      out.println(MAPPER.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree we built ourselves", e);
    }
    out.flush();
  }

  @Override
  public void sent(String jobId, boolean sent) {
    emit(line("sent", jobId).put("sent", sent));
  }

  @Override
  public void status(StatusEvent event) {
    emit(statusLine(event));
  }

  @Override
  public void timedOut(JobTimeoutException timeout) {
    emit(
        line("timeout", timeout.jobId())
            .put("timeoutMs", timeout.timeout().toMillis())
            .put("lastState", timeout.lastState() == null ? null : timeout.lastState().name()));
  }

  @Override
  public void error(String jobId, Throwable error) {
    emit(line("error", jobId).put("message", String.valueOf(error.getMessage())));
  }

  @Override
  public void downloaded(String jobId, Path file) {
    emit(line("download", jobId).put("file", file.toString()));
  }

  @Override
  public void summary(int jobs, Tally tally) {
    ObjectNode node =
        line("summary", null)
            .put("jobs", jobs)
            .put("succeeded", tally.succeeded())
            .put("failed", tally.failed())
            .put("expired", tally.expired())
            .put("timedOut", tally.timedOut())
            .put("errors", tally.errors())
            .put("exitCode", tally.exitCode());
    ObjectNode byCode = node.putObject("failuresByCode");
    tally.failuresByCode().forEach(byCode::put);
    emit(node);
  }

  @Override
  public void close() {
    out.flush();
  }
}
