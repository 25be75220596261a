package io.pixartdelta.worker.render;

/**
 * One job as the renderer sees it: every default already applied.
 *
 * @param jobId the job's id (for logs and errors)
 * @param prompt text prompt, may be empty
 * @param seed seed of the first image; image {@code i} uses {@link #seedOf(int) seedOf(i)}
 * @param width output width in pixels
 * @param height output height in pixels
 * @param binning true: render at the nearest aspect-ratio bin and resize back; false: render
 *     exactly width × height
 * @param steps denoising steps
 * @param numImages images to render (1..4)
 * @param sampler sampler wire name, e.g. {@code lcm}
 * @param guidanceScale guidance scale, or null for the model's default
 * @param control control map, or null for text-to-image
 */
public record RenderItem(
    String jobId,
    String prompt,
    long seed,
    int width,
    int height,
    boolean binning,
    int steps,
    int numImages,
    String sampler,
    Double guidanceScale,
    ControlInput control) {

  public RenderItem {
    if (jobId == null || jobId.isEmpty()) {
      throw new IllegalArgumentException("jobId must not be empty");
    }
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null");
    }
    if (seed < 0) {
      throw new IllegalArgumentException("seed must be >= 0, got " + seed);
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "width and height must be >= 1, got " + width + "x" + height);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    if (numImages < 1) {
      throw new IllegalArgumentException("numImages must be >= 1, got " + numImages);
    }
    if (sampler == null || sampler.isBlank()) {
      throw new IllegalArgumentException("sampler must not be blank");
    }
  }

  /** The seed of image {@code index}: {@code seed + index}, wrapping within [0, 2^63-1]. */
  public long seedOf(int index) {
    if (index < 0 || index >= numImages) {
      throw new IndexOutOfBoundsException("image index " + index + " of " + numImages);
    }
    return (seed + index) & Long.MAX_VALUE;
  }
}
