package io.pixartdelta.worker.render;

import io.pixartdelta.schemas.RenderJob;
import java.util.Objects;

/**
 * Whether images carry their parameters (prompt, seed, steps, sampler, guidance, size, model).
 *
 * @param enabled embed them at all
 * @param privateMetadataKey a job whose metadata maps this key to {@code true} is private: its
 *     images carry nothing; empty means no job is private
 */
public record ParameterEmbedding(boolean enabled, String privateMetadataKey) {
  /** Embedding on; jobs with {@code "private": "true"} in their metadata are exempt. */
  public static final ParameterEmbedding DEFAULT = new ParameterEmbedding(true, "private");

  public ParameterEmbedding {
    Objects.requireNonNull(privateMetadataKey, "privateMetadataKey");
  }

  /** True when {@code job}'s images may carry its prompt and settings. */
  public boolean appliesTo(RenderJob job) {
    return enabled
        && (privateMetadataKey.isEmpty()
            || !"true".equalsIgnoreCase(job.metadata().get(privateMetadataKey)));
  }
}
