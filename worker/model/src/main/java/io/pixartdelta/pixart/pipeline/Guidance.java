package io.pixartdelta.pixart.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.pixartdelta.pixart.nn.Scalars;

/**
 * Classifier-free guidance (Ho &amp; Salimans 2022) as diffusers' PixArt pipeline applies it: the
 * model runs once on a doubled batch [unconditional; conditional] (every per-image input doubled,
 * the caption embeddings and masks stacked negative-first), and the two halves of its output are
 * combined as ε̂ = ε̂_u + w·(ε̂_c − ε̂_u). The official PixArt-α sampling uses w = 4.5 with the
 * empty-prompt embedding as the unconditional caption.
 *
 * <p>Shape legend: B images, 2B rows in a doubled batch; any trailing dimensions. Every result is
 * attached to the manager of the first array argument; intermediates are freed.
 */
public final class Guidance {
  private Guidance() {}

  /**
   * The two halves of a doubled batch.
   *
   * @param uncond rows 0..B−1, (B, …)
   * @param cond rows B..2B−1, (B, …)
   */
  public record Halves(NDArray uncond, NDArray cond) {
    public Halves {
      if (uncond == null || cond == null) {
        throw new IllegalArgumentException("uncond and cond are required");
      }
    }
  }

  /**
   * Whether {@code scale} asks for guidance at all: diffusers runs the doubled batch only for w
   * &gt; 1 (w = 1 is the conditional prediction alone, and PixArt-LCM is sampled with w = 0).
   */
  public static boolean enabled(float scale) {
    return scale > 1f;
  }

  /**
   * ε̂_u + scale·(ε̂_c − ε̂_u), evaluated in that order as the reference does.
   *
   * @param uncond the unconditional prediction, (B, …)
   * @param cond the conditional prediction, same shape and dtype
   * @return the guided prediction, (B, …), attached to {@code uncond}'s manager
   */
  public static NDArray combine(NDArray uncond, NDArray cond, float scale) {
    requireSameShape(uncond, cond);
    if (!Float.isFinite(scale)) {
      throw new IllegalArgumentException("guidance scale must be finite, got " + scale);
    }
    try (NDManager scope = uncond.getManager().newSubManager()) {
      attach(scope, uncond, cond);
      NDArray difference = cond.sub(uncond); // (B, …)
      return scope.ret(uncond.add(Scalars.mul(difference, scale))); // (B, …)
    }
  }

  /**
   * Splits a doubled model output and combines its halves: {@code combine(halves(out), scale)}.
   *
   * @param doubledOutput (2B, …) with the unconditional rows first
   * @return (B, …) attached to {@code doubledOutput}'s manager
   */
  public static NDArray combineDoubled(NDArray doubledOutput, float scale) {
    try (NDManager scope = doubledOutput.getManager().newSubManager()) {
      scope.tempAttachAll(doubledOutput);
      Halves h = halves(doubledOutput);
      return scope.ret(combine(h.uncond(), h.cond(), scale));
    }
  }

  /**
   * [x; x] along the batch axis, for inputs both halves share: latents, timesteps, resolution and
   * aspect-ratio micro-conditions.
   *
   * @param x (B, …)
   * @return (2B, …) attached to {@code x}'s manager
   */
  public static NDArray doubled(NDArray x) {
    if (x == null || x.getShape().dimension() == 0) {
      throw new IllegalArgumentException("x must have a batch axis");
    }
    return x.concat(x, 0); // (2B, …)
  }

  /**
   * [uncond; cond] along the batch axis, for the caption embeddings and their masks. A single
   * unconditional row (the empty-prompt embedding) is repeated for every conditional row, as
   * diffusers repeats the negative prompt per image.
   *
   * @param uncond (B, …) or (1, …)
   * @param cond (B, …), same trailing shape and dtype
   * @return (2B, …) attached to {@code uncond}'s manager
   */
  public static NDArray doubled(NDArray uncond, NDArray cond) {
    if (uncond == null || cond == null) {
      throw new IllegalArgumentException("uncond and cond are required");
    }
    Shape u = uncond.getShape();
    Shape c = cond.getShape();
    if (u.dimension() == 0
        || u.dimension() != c.dimension()
        || !u.slice(1).equals(c.slice(1))
        || (u.get(0) != c.get(0) && u.get(0) != 1)) {
      throw new IllegalArgumentException(
          "uncond shape " + u + " must equal cond shape " + c + " or have batch 1");
    }
    if (uncond.getDataType() != cond.getDataType()) {
      throw new IllegalArgumentException(
          "uncond dtype " + uncond.getDataType() + " != cond dtype " + cond.getDataType());
    }
    try (NDManager scope = uncond.getManager().newSubManager()) {
      attach(scope, uncond, cond);
      long b = c.get(0);
      NDArray rows = u.get(0) == b ? uncond : uncond.repeat(0, b); // (B, …)
      return scope.ret(rows.concat(cond, 0)); // (2B, …)
    }
  }

  /**
   * The unconditional and conditional halves of a doubled batch.
   *
   * @param doubled (2B, …)
   * @return two (B, …) arrays attached to {@code doubled}'s manager
   */
  public static Halves halves(NDArray doubled) {
    if (doubled == null
        || doubled.getShape().dimension() == 0
        || doubled.getShape().get(0) % 2 != 0) {
      throw new IllegalArgumentException(
          "a doubled batch needs an even batch size, got "
              + (doubled == null ? null : doubled.getShape()));
    }
    NDList parts = doubled.split(2, 0); // 2 × (B, …)
    return new Halves(parts.get(0), parts.get(1));
  }

  private static void requireSameShape(NDArray uncond, NDArray cond) {
    if (uncond == null || cond == null) {
      throw new IllegalArgumentException("uncond and cond are required");
    }
    if (!uncond.getShape().equals(cond.getShape())) {
      throw new IllegalArgumentException(
          "uncond shape " + uncond.getShape() + " != cond shape " + cond.getShape());
    }
    if (uncond.getDataType() != cond.getDataType()) {
      throw new IllegalArgumentException(
          "uncond dtype " + uncond.getDataType() + " != cond dtype " + cond.getDataType());
    }
  }

  private static void attach(NDManager scope, NDArray a, NDArray b) {
    scope.tempAttachAll(a);
    if (b != a) {
      scope.tempAttachAll(b);
    }
  }
}
