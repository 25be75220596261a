package io.pixartdelta.pixart.cli;

import ai.djl.Device;
import java.util.Locale;

/**
 * Parses device names as users write them: {@code cpu}, {@code gpu:0}, {@code cuda:1}, {@code gpu}.
 */
public final class Devices {
  private Devices() {}

  public static Device parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("cpu")) {
      return Device.cpu();
    }
    for (String prefix : new String[] {"gpu", "cuda"}) {
      if (n.startsWith(prefix)) {
        String rest = n.substring(prefix.length());
        if (rest.startsWith(":")) {
          rest = rest.substring(1);
        }
        try {
          int index = rest.isEmpty() ? 0 : Integer.parseInt(rest);
          if (index >= 0) {
            return Device.gpu(index);
          }
        } catch (NumberFormatException e) {
          // fall through to the error below
        }
      }
    }
    throw new IllegalArgumentException("unknown device '" + name + "': use cpu, gpu:N or cuda:N");
  }
}
