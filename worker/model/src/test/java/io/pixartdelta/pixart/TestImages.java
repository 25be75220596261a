package io.pixartdelta.pixart;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Small synthetic control images for tests. */
public final class TestImages {
  private TestImages() {}

  /** White outlines (a rectangle and a diagonal) on black: an edge map. */
  public static byte[] edgeMapPng(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.drawRect(w / 4, h / 4, w / 2, h / 2);
    g.drawLine(0, 0, w - 1, h - 1);
    g.dispose();
    return png(img);
  }

  /** Gradients with a checkerboard: a "photo" with edges for HED and Canny. */
  public static byte[] photoPng(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = (x * 255) / w;
        int g = (y * 255) / h;
        int b = ((x / 20 + y / 20) % 2) * 200;
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return png(img);
  }

  private static byte[] png(BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
