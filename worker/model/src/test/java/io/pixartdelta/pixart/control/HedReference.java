package io.pixartdelta.pixart.control;

import java.util.Map;

/**
 * The HED forward pass written as plain loops in double precision, straight from PixArt-alpha's
 * {@code ControlNetHED_Apache2} and {@code HEDdetector.forward} ({@code diffusion/model/hed.py} at
 * commit cac2fd3b), as an independent check of {@link HedDetector}.
 */
final class HedReference {
  private HedReference() {}

  /**
   * @param w every tensor of the network, row-major
   * @param image (B, 3, H, W) in [0, 1]
   * @return (B, 1, H, W)
   */
  static float[] forward(
      Map<String, float[]> w, HedConfig cfg, float[] image, int b, int h, int wd) {
    float[] out = new float[b * h * wd];
    for (int n = 0; n < b; n++) {
      int ch = 3;
      int ih = h;
      int iw = wd;
      double[] x = new double[3 * h * wd];
      float[] norm = w.get("norm");
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < h * wd; i++) {
          x[c * h * wd + i] = image[(n * 3 + c) * h * wd + i] * 255.0 - norm[c];
        }
      }
      double[] sum = new double[h * wd];
      for (int k = 0; k < HedConfig.BLOCKS; k++) {
        if (k > 0) {
          int oh = ih / 2;
          int ow = iw / 2;
          double[] pooled = new double[ch * oh * ow];
          for (int c = 0; c < ch; c++) {
            for (int y = 0; y < oh; y++) {
              for (int xx = 0; xx < ow; xx++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int dy = 0; dy < 2; dy++) {
                  for (int dx = 0; dx < 2; dx++) {
                    m = Math.max(m, x[(c * ih + 2 * y + dy) * iw + 2 * xx + dx]);
                  }
                }
                pooled[(c * oh + y) * ow + xx] = m;
              }
            }
          }
          x = pooled;
          ih = oh;
          iw = ow;
        }
        for (int i = 0; i < HedConfig.LAYERS.get(k); i++) {
          String name = "block" + (k + 1) + ".convs." + i;
          int oc = cfg.width(k);
          x = conv3x3Relu(x, ch, ih, iw, w.get(name + ".weight"), w.get(name + ".bias"), oc);
          ch = oc;
        }
        float[] pw = w.get("block" + (k + 1) + ".projection.weight");
        float pb = w.get("block" + (k + 1) + ".projection.bias")[0];
        double[] side = new double[ih * iw];
        for (int i = 0; i < ih * iw; i++) {
          double acc = pb;
          for (int c = 0; c < ch; c++) {
            acc += pw[c] * x[c * ih * iw + i];
          }
          side[i] = acc;
        }
        for (int y = 0; y < h; y++) {
          for (int xx = 0; xx < wd; xx++) {
            sum[y * wd + xx] += bilinear(side, ih, iw, y, xx, h, wd);
          }
        }
      }
      for (int i = 0; i < h * wd; i++) {
        double s = 1 / (1 + Math.exp(-sum[i] / HedConfig.BLOCKS));
        out[n * h * wd + i] = (float) Math.min(1, Math.max(0, s));
      }
    }
    return out;
  }

  private static double[] conv3x3Relu(
      double[] x, int ic, int h, int w, float[] weight, float[] bias, int oc) {
    double[] y = new double[oc * h * w];
    for (int o = 0; o < oc; o++) {
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          double acc = bias[o];
          for (int i = 0; i < ic; i++) {
            for (int dy = -1; dy <= 1; dy++) {
              for (int dx = -1; dx <= 1; dx++) {
                int rr = r + dy;
                int cc = c + dx;
                if (rr >= 0 && rr < h && cc >= 0 && cc < w) {
                  acc +=
                      weight[((o * ic + i) * 3 + dy + 1) * 3 + dx + 1] * x[(i * h + rr) * w + cc];
                }
              }
            }
          }
          y[(o * h + r) * w + c] = Math.max(acc, 0);
        }
      }
    }
    return y;
  }

  /** Sample at output (y, x) of an ih×iw → oh×ow half-pixel bilinear resize, edges clamped. */
  static double bilinear(double[] src, int ih, int iw, int y, int x, int oh, int ow) {
    double sy = Math.max((y + 0.5) * ih / oh - 0.5, 0);
    double sx = Math.max((x + 0.5) * iw / ow - 0.5, 0);
    int y0 = (int) Math.floor(sy);
    int x0 = (int) Math.floor(sx);
    int y1 = Math.min(y0 + 1, ih - 1);
    int x1 = Math.min(x0 + 1, iw - 1);
    double fy = sy - y0;
    double fx = sx - x0;
    return (1 - fy) * ((1 - fx) * src[y0 * iw + x0] + fx * src[y0 * iw + x1])
        + fy * ((1 - fx) * src[y1 * iw + x0] + fx * src[y1 * iw + x1]);
  }
}
