package io.pixartdelta.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * A request to render images with PixArt-δ: the {@code render-job.v1} wire message.
 *
 * <p>The compact constructor enforces the same rules as {@code render-job.v1.schema.json} and names
 * the offending field in its {@link IllegalArgumentException}, so an instance always encodes to a
 * schema-valid message. Optional reference fields are null when absent; defaults of the primitive
 * fields are applied when decoding. Build instances with {@link #of(String, String)}, {@link
 * #builder(String, String)} and the {@code withX} copy methods.
 *
 * @param schemaVersion always {@value #SCHEMA_VERSION}
 * @param jobId client-chosen idempotency key, {@code ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$}; also the
 *     Kafka message key
 * @param prompt text prompt, at most {@value #MAX_PROMPT_LENGTH} code points, may be empty
 * @param width output width in [256, 2048], a multiple of 8 (of 16 without binning); null together
 *     with height for the default size (1024×1024, or for control jobs the control image's size
 *     brought within the limits)
 * @param height output height, same rules as width
 * @param binning true (default): render at PixArt's nearest aspect-ratio bin and resize back;
 *     false: render exactly width×height
 * @param steps denoising steps in [1, 8], default {@value #DEFAULT_STEPS}
 * @param seed seed in [0, 2^63-1], or null to let the worker pick (and report) one
 * @param numImages images to render in [1, 4], default 1
 * @param sampler sampler, default {@link Sampler#LCM}
 * @param guidanceScale classifier-free guidance scale in [0, 20], or null for the worker's default
 * @param control control map, or null for a plain text-to-image job
 * @param output where and how to store images; {@link OutputSpec#DEFAULT} when absent
 * @param priority in [-100, 100], default 0; higher renders first within a batch shape
 * @param deadline instant after which the job must not start, or null for none
 * @param metadata opaque string map copied into every status event (at most 32 entries, keys 1–64,
 *     values at most 512 characters); never null
 * @param submittedAt instant the producer created the job
 */
public record RenderJob(
    int schemaVersion,
    String jobId,
    String prompt,
    Integer width,
    Integer height,
    boolean binning,
    int steps,
    Long seed,
    int numImages,
    Sampler sampler,
    Double guidanceScale,
    ControlSpec control,
    OutputSpec output,
    int priority,
    Instant deadline,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata,
    Instant submittedAt) {

  /** The only version this code reads and writes. */
  public static final int SCHEMA_VERSION = 1;

  /** Upper bound of {@link #prompt()}'s length in code points. */
  public static final int MAX_PROMPT_LENGTH = 2000;

  /** Size used for each side when a plain job gives none. */
  public static final int DEFAULT_SIZE = 1024;

  /** Smallest allowed width and height. */
  public static final int MIN_SIZE = 256;

  /** Largest allowed width and height. */
  public static final int MAX_SIZE = 2048;

  /** Default number of denoising steps. */
  public static final int DEFAULT_STEPS = 4;

  /** Largest number of denoising steps. */
  public static final int MAX_STEPS = 8;

  /** Step limit of the {@code dpm-solver} sampler. */
  public static final int MAX_DPM_STEPS = 50;

  /** Largest number of images per job. */
  public static final int MAX_IMAGES = 4;

  /** Largest allowed guidance scale. */
  public static final double MAX_GUIDANCE_SCALE = 20.0;

  /** Priority bound: priorities lie in [-MAX_PRIORITY, MAX_PRIORITY]. */
  public static final int MAX_PRIORITY = 100;

  /** Validates every field against the render-job schema's rules and applies the defaults. */
  public RenderJob {
    Checks.schemaVersion(schemaVersion);
    Checks.jobId(jobId);
    Checks.required("prompt", prompt);
    Checks.maxLength("prompt", prompt, MAX_PROMPT_LENGTH);
    if ((width == null) != (height == null)) {
      throw new IllegalArgumentException(
          "width and height must be given together, got width=" + width + ", height=" + height);
    }
    if (width != null) {
      checkSide("width", width, binning);
      checkSide("height", height, binning);
    }
    sampler = sampler == null ? Sampler.LCM : sampler;
    Checks.range("steps", steps, 1, sampler == Sampler.LCM ? MAX_STEPS : MAX_DPM_STEPS);
    if (seed != null) {
      Checks.range("seed", seed, 0, Long.MAX_VALUE);
    }
    Checks.range("numImages", numImages, 1, MAX_IMAGES);
    if (guidanceScale != null) {
      Checks.range("guidanceScale", guidanceScale, 0.0, MAX_GUIDANCE_SCALE);
    }
    output = output == null ? OutputSpec.DEFAULT : output;
    Checks.range("priority", priority, -MAX_PRIORITY, MAX_PRIORITY);
    metadata = Checks.metadata("metadata", metadata);
    Checks.required("submittedAt", submittedAt);
  }

  private static void checkSide(String field, int value, boolean binning) {
    Checks.range(field, value, MIN_SIZE, MAX_SIZE);
    if (binning) {
      Checks.multipleOf(field, value, 8, "");
    } else {
      Checks.multipleOf(field, value, 16, " when binning is false");
    }
  }

  /**
   * A job with every default: 1024×1024 with binning, 4 LCM steps, one PNG image in the worker's
   * default output location, submitted now (millisecond precision).
   */
  public static RenderJob of(String jobId, String prompt) {
    return builder(jobId, prompt).build();
  }

  /** A builder holding every default, {@code submittedAt} = now unless set. */
  public static Builder builder(String jobId, String prompt) {
    return new Builder(jobId, prompt);
  }

  /** A builder holding this job's fields. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Whether {@code candidate} is a well-formed jobId, e.g. to decide if a Kafka key can name the
   * FAILED status of an unreadable message.
   */
  public static boolean isValidJobId(String candidate) {
    return candidate != null && Checks.JOB_ID.matcher(candidate).matches();
  }

  /** Whether the job carries a control map. */
  public boolean hasControl() {
    return control != null;
  }

  /** A copy with another jobId. */
  public RenderJob withJobId(String newJobId) {
    return toBuilder().jobId(newJobId).build();
  }

  /** A copy with another prompt. */
  public RenderJob withPrompt(String newPrompt) {
    return toBuilder().prompt(newPrompt).build();
  }

  /** A copy with another size; both null for the default size. */
  public RenderJob withSize(Integer newWidth, Integer newHeight) {
    return toBuilder().size(newWidth, newHeight).build();
  }

  /** A copy with binning switched on or off. */
  public RenderJob withBinning(boolean newBinning) {
    return toBuilder().binning(newBinning).build();
  }

  /** A copy with another number of steps. */
  public RenderJob withSteps(int newSteps) {
    return toBuilder().steps(newSteps).build();
  }

  /** A copy with another seed; null lets the worker pick. */
  public RenderJob withSeed(Long newSeed) {
    return toBuilder().seed(newSeed).build();
  }

  /** A copy with another image count. */
  public RenderJob withNumImages(int newNumImages) {
    return toBuilder().numImages(newNumImages).build();
  }

  /** A copy with another sampler. */
  public RenderJob withSampler(Sampler newSampler) {
    return toBuilder().sampler(newSampler).build();
  }

  /** A copy with another guidance scale; null for the worker's default. */
  public RenderJob withGuidanceScale(Double newGuidanceScale) {
    return toBuilder().guidanceScale(newGuidanceScale).build();
  }

  /** A copy with another control map; null for none. */
  public RenderJob withControl(ControlSpec newControl) {
    return toBuilder().control(newControl).build();
  }

  /** A copy with another output spec; null for {@link OutputSpec#DEFAULT}. */
  public RenderJob withOutput(OutputSpec newOutput) {
    return toBuilder().output(newOutput).build();
  }

  /** A copy with another priority. */
  public RenderJob withPriority(int newPriority) {
    return toBuilder().priority(newPriority).build();
  }

  /** A copy with another deadline; null for none. */
  public RenderJob withDeadline(Instant newDeadline) {
    return toBuilder().deadline(newDeadline).build();
  }

  /** A copy with other metadata; null for none. */
  public RenderJob withMetadata(Map<String, String> newMetadata) {
    return toBuilder().metadata(newMetadata).build();
  }

  /** A copy with another submission instant. */
  public RenderJob withSubmittedAt(Instant newSubmittedAt) {
    return toBuilder().submittedAt(newSubmittedAt).build();
  }

  /** Jackson's entry point: boxed parameters so that absent fields take their defaults. */
  @JsonCreator
  static RenderJob fromJson(
      @JsonProperty("schemaVersion") Integer schemaVersion,
      @JsonProperty("jobId") String jobId,
      @JsonProperty("prompt") String prompt,
      @JsonProperty("width") Integer width,
      @JsonProperty("height") Integer height,
      @JsonProperty("binning") Boolean binning,
      @JsonProperty("steps") Integer steps,
      @JsonProperty("seed") Long seed,
      @JsonProperty("numImages") Integer numImages,
      @JsonProperty("sampler") Sampler sampler,
      @JsonProperty("guidanceScale") Double guidanceScale,
      @JsonProperty("control") ControlSpec control,
      @JsonProperty("output") OutputSpec output,
      @JsonProperty("priority") Integer priority,
      @JsonProperty("deadline") Instant deadline,
      @JsonProperty("metadata") Map<String, String> metadata,
      @JsonProperty("submittedAt") Instant submittedAt) {
    return new RenderJob(
        schemaVersion == null ? 0 : schemaVersion,
        jobId,
        prompt,
        width,
        height,
        binning == null || binning,
        steps == null ? DEFAULT_STEPS : steps,
        seed,
        numImages == null ? 1 : numImages,
        sampler,
        guidanceScale,
        control,
        output,
        priority == null ? 0 : priority,
        deadline,
        metadata,
        submittedAt);
  }

  /** Mutable builder of {@link RenderJob}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private String jobId;
    private String prompt;
    private Integer width;
    private Integer height;
    private boolean binning = true;
    private int steps = DEFAULT_STEPS;
    private Long seed;
    private int numImages = 1;
    private Sampler sampler = Sampler.LCM;
    private Double guidanceScale;
    private ControlSpec control;
    private OutputSpec output = OutputSpec.DEFAULT;
    private int priority;
    private Instant deadline;
    private Map<String, String> metadata = Map.of();
    private Instant submittedAt;

    private Builder(String jobId, String prompt) {
      this.jobId = jobId;
      this.prompt = prompt;
    }

    private Builder(RenderJob job) {
      this.jobId = job.jobId;
      this.prompt = job.prompt;
      this.width = job.width;
      this.height = job.height;
      this.binning = job.binning;
      this.steps = job.steps;
      this.seed = job.seed;
      this.numImages = job.numImages;
      this.sampler = job.sampler;
      this.guidanceScale = job.guidanceScale;
      this.control = job.control;
      this.output = job.output;
      this.priority = job.priority;
      this.deadline = job.deadline;
      this.metadata = job.metadata;
      this.submittedAt = job.submittedAt;
    }

    /** Sets the idempotency key. */
    public Builder jobId(String value) {
      this.jobId = value;
      return this;
    }

    /** Sets the prompt. */
    public Builder prompt(String value) {
      this.prompt = value;
      return this;
    }

    /** Sets the output size; both null for the default size. */
    public Builder size(Integer newWidth, Integer newHeight) {
      this.width = newWidth;
      this.height = newHeight;
      return this;
    }

    /** Switches aspect-ratio binning on (default) or off. */
    public Builder binning(boolean value) {
      this.binning = value;
      return this;
    }

    /** Sets the number of denoising steps. */
    public Builder steps(int value) {
      this.steps = value;
      return this;
    }

    /** Sets the seed; null lets the worker pick. */
    public Builder seed(Long value) {
      this.seed = value;
      return this;
    }

    /** Sets the number of images. */
    public Builder numImages(int value) {
      this.numImages = value;
      return this;
    }

    /** Sets the sampler. */
    public Builder sampler(Sampler value) {
      this.sampler = value;
      return this;
    }

    /** Sets the guidance scale; null for the worker's default. */
    public Builder guidanceScale(Double value) {
      this.guidanceScale = value;
      return this;
    }

    /** Sets the control map; null for none. */
    public Builder control(ControlSpec value) {
      this.control = value;
      return this;
    }

    /** Sets the output spec; null for {@link OutputSpec#DEFAULT}. */
    public Builder output(OutputSpec value) {
      this.output = value;
      return this;
    }

    /** Sets the priority. */
    public Builder priority(int value) {
      this.priority = value;
      return this;
    }

    /** Sets the deadline; null for none. */
    public Builder deadline(Instant value) {
      this.deadline = value;
      return this;
    }

    /** Sets the metadata (copied on build); null for none. */
    public Builder metadata(Map<String, String> value) {
      this.metadata = value;
      return this;
    }

    /** Sets the submission instant; when left null, {@link #build()} uses now. */
    public Builder submittedAt(Instant value) {
      this.submittedAt = value;
      return this;
    }

    /** Validates and builds the job. */
    public RenderJob build() {
      Instant submitted =
          submittedAt != null ? submittedAt : Instant.now().truncatedTo(ChronoUnit.MILLIS);
      return new RenderJob(
          SCHEMA_VERSION,
          jobId,
          prompt,
          width,
          height,
          binning,
          steps,
          seed,
          numImages,
          sampler,
          guidanceScale,
          control,
          output,
          priority,
          deadline,
          metadata,
          submitted);
    }
  }
}
