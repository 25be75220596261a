package io.pixartdelta.pixart.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.NodeList;

/** Reads embedded text back through ImageIO's metadata API (the native PNG and JPEG trees). */
public final class EmbeddedText {
  private EmbeddedText() {}

  /** Every tEXt entry, then every iTXt entry of a PNG: keyword → text. */
  public static Map<String, String> png(byte[] png) throws IOException {
    IIOMetadataNode root = tree(png, "javax_imageio_png_1.0");
    Map<String, String> text = new LinkedHashMap<>(entries(root, "tEXtEntry", "value"));
    text.putAll(entries(root, "iTXtEntry", "text"));
    return text;
  }

  /** The iTXt entries of a PNG alone. */
  public static Map<String, String> pngInternational(byte[] png) throws IOException {
    return entries(tree(png, "javax_imageio_png_1.0"), "iTXtEntry", "text");
  }

  /** The COM segments of a JPEG, decoded as UTF-8. */
  public static List<String> jpegComments(byte[] jpeg) throws IOException {
    NodeList nodes = tree(jpeg, "javax_imageio_jpeg_image_1.0").getElementsByTagName("com");
    List<String> comments = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      byte[] bytes = (byte[]) ((IIOMetadataNode) nodes.item(i)).getUserObject();
      comments.add(new String(bytes, StandardCharsets.UTF_8));
    }
    return comments;
  }

  private static Map<String, String> entries(IIOMetadataNode root, String tag, String attribute) {
    Map<String, String> entries = new LinkedHashMap<>();
    NodeList nodes = root.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      IIOMetadataNode node = (IIOMetadataNode) nodes.item(i);
      entries.put(node.getAttribute("keyword"), node.getAttribute(attribute));
    }
    return entries;
  }

  private static IIOMetadataNode tree(byte[] file, String format) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(file))) {
      ImageReader reader = ImageIO.getImageReaders(in).next();
      try {
        reader.setInput(in);
        return (IIOMetadataNode) reader.getImageMetadata(0).getAsTree(format);
      } finally {
        reader.dispose();
      }
    }
  }
}
