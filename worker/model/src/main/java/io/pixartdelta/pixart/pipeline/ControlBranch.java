package io.pixartdelta.pixart.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.pixartdelta.pixart.control.CannyEdges;
import io.pixartdelta.pixart.control.ControlEncoder;
import io.pixartdelta.pixart.control.HedDetector;
import io.pixartdelta.pixart.controlnet.ControlNetAdapter;
import io.pixartdelta.pixart.controlnet.PixArtControlNetTransformer;
import io.pixartdelta.pixart.transformer.PixArtTransformer;
import io.pixartdelta.pixart.vae.AutoencoderKl;
import java.util.List;

/**
 * The ControlNet-Transformer branch of a pipeline: the adapter blocks around the base transformer,
 * the optional HED detector, and the encoder from control image to control latents.
 */
final class ControlBranch implements AutoCloseable {
  private final ControlNetAdapter adapter;
  private final HedDetector hed;
  private final PixArtControlNetTransformer transformer;
  private final ControlEncoder encoder;

  private ControlBranch(
      ControlNetAdapter adapter,
      HedDetector hed,
      PixArtControlNetTransformer transformer,
      ControlEncoder encoder) {
    this.adapter = adapter;
    this.hed = hed;
    this.transformer = transformer;
    this.encoder = encoder;
  }

  /** Loads the branch for {@code base} and {@code vae} with the pipeline's options. */
  static ControlBranch load(
      ControlNetFiles files, PixArtTransformer base, AutoencoderKl vae, PipelineOptions options) {
    ControlNetAdapter a =
        ControlNetAdapter.load(
            files.adapter(), base.config(), options.device(), options.dtype(), options.kernels());
    try {
      HedDetector h =
          files.hed() == null
              ? null
              : HedDetector.load(files.hed(), options.device(), options.dtype());
      return new ControlBranch(
          a,
          h,
          new PixArtControlNetTransformer(base, a),
          new ControlEncoder(vae, h, CannyEdges.withDefaults()));
    } catch (RuntimeException e) {
      a.close();
      throw e;
    }
  }

  boolean hasHed() {
    return hed != null;
  }

  PixArtControlNetTransformer transformer() {
    return transformer;
  }

  /**
   * Control latents: each request's edge map → VAE posterior mean × scaling factor, repeated for
   * its images.
   *
   * @return (B, C, H/8, W/8) in {@code dtype}
   */
  NDArray latents(List<GenerationRequest> requests, NDManager batch, DataType dtype) {
    NDList rows = new NDList();
    for (GenerationRequest r : requests) {
      NDArray image = r.control().image().toNDArray(batch).toType(dtype, false); // (1, 3, H, W)
      NDArray latent = encoder.encode(image, r.control().type()); // (1, C, H/8, W/8)
      for (int i = 0; i < r.numImages(); i++) {
        rows.add(latent);
      }
    }
    return NDArrays.concat(rows, 0).toType(dtype, false); // (B, C, H/8, W/8)
  }

  @Override
  public void close() {
    adapter.close();
    if (hed != null) {
      hed.close();
    }
  }
}
