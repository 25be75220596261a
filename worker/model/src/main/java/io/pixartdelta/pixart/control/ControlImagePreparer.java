package io.pixartdelta.pixart.control;

import io.pixartdelta.pixart.image.AspectRatioBins;
import io.pixartdelta.pixart.image.AspectRatioBins.Bin;

/**
 * Turns the bytes of a job's control image into the network input of the official PixArt-δ
 * ControlNet demo (PixArt-alpha @cac2fd3b {@code app/app_controlnet.py}): decode safely ({@link
 * SafeImageDecoder}), convert to RGB, pick the resolution bin from the image's own aspect ratio
 * unless the job fixes the size, resize so the shorter side equals min(bin height, bin width),
 * center-crop to the bin, scale to [0, 1].
 *
 * <p>The resize is torchvision's {@code Resize(int)} on a PIL image: long side =
 * int(size·long/short), Pillow's antialiased bilinear filter ({@link PilBilinearResize}). The crop
 * is torchvision's {@code CenterCrop}: offset round((dim − target)/2) with Python's round half to
 * even; where the resized image is smaller than the bin along an axis (it happens: bin keys are
 * rounded ratios, e.g. a 0.96 image gets the 0.94 bin, 960×1024, and resizes to 960×1000) it is
 * padded with black, (target − dim)//2 before and the rest after, as torchvision does.
 *
 * <p>Immutable and thread-safe.
 */
public final class ControlImagePreparer {
  private final SafeImageDecoder decoder;
  private final AspectRatioBins bins;

  /** A preparer choosing among the 1024-pixel bins. */
  public ControlImagePreparer(ControlImageLimits limits) {
    this(limits, AspectRatioBins.pixart1024());
  }

  public ControlImagePreparer(ControlImageLimits limits, AspectRatioBins bins) {
    if (limits == null || bins == null) {
      throw new IllegalArgumentException("limits and bins are required");
    }
    this.decoder = new SafeImageDecoder(limits);
    this.bins = bins;
  }

  /**
   * Decodes {@code bytes} and prepares the image at the bin closest to its own aspect ratio (for
   * jobs that give no size).
   *
   * @throws ControlImageException if the bytes are not an acceptable image
   */
  public PreparedControlImage prepare(byte[] bytes) {
    RgbImage image = decoder.decode(bytes);
    return prepare(image, binFor(image));
  }

  /**
   * Decodes {@code bytes} and prepares the image at {@code bin} (the job's size, already binned).
   *
   * @throws ControlImageException if the bytes are not an acceptable image
   */
  public PreparedControlImage prepare(byte[] bytes, Bin bin) {
    return prepare(decoder.decode(bytes), bin);
  }

  /** The bin an image of this size is rendered at when the job gives no size. */
  public Bin binFor(RgbImage image) {
    return bins.classify(image.height(), image.width());
  }

  /** Resizes, crops and scales an already decoded image to {@code bin}. */
  public PreparedControlImage prepare(RgbImage image, Bin bin) {
    if (image == null || bin == null) {
      throw new IllegalArgumentException("image and bin are required");
    }
    int target = Math.min(bin.height(), bin.width());
    int h = image.height();
    int w = image.width();
    long resizedHeight;
    long resizedWidth;
    if (w <= h) {
      resizedWidth = target;
      resizedHeight = (long) ((double) ((long) target * h) / w); // int(size·long/short)
    } else {
      resizedHeight = target;
      resizedWidth = (long) ((double) ((long) target * w) / h);
    }
    CropAxis rows = CropAxis.of(resizedHeight, bin.height());
    CropAxis cols = CropAxis.of(resizedWidth, bin.width());
    RgbImage window =
        PilBilinearResize.resizeWindow(
            image, resizedHeight, resizedWidth, rows.from, cols.from, rows.count, cols.count);
    float[] chw = new float[3 * bin.height() * bin.width()]; // black padding stays 0
    int plane = bin.height() * bin.width();
    for (int y = 0; y < rows.count; y++) {
      for (int x = 0; x < cols.count; x++) {
        int o = (y + rows.padBefore) * bin.width() + x + cols.padBefore;
        for (int c = 0; c < 3; c++) {
          chw[c * plane + o] = window.sample(y, x, c) / 255f; // ToTensor: uint8 / 255
        }
      }
    }
    return new PreparedControlImage(bin, h, w, chw);
  }

  /**
   * Center crop (or pad) of one axis of length {@code size} to {@code target}: the kept input range
   * [from, from + count) lands at output offset padBefore.
   */
  private record CropAxis(long from, int count, int padBefore) {
    static CropAxis of(long size, int target) {
      if (size < target) {
        return new CropAxis(0, (int) size, (int) ((target - size) / 2));
      }
      return new CropAxis((long) Math.rint((size - target) / 2.0), target, 0);
    }
  }
}
