package io.pixartdelta.pixart.text;

import io.pixartdelta.pixart.weights.WeightException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a SentencePiece {@code ModelProto} ({@code spiece.model}) the tokenizer needs but
 * the native binding does not expose: the piece table (to know the vocabulary size and the ids of
 * {@code <pad>}, {@code </s>}, {@code <unk>}), the model type and the normaliser name.
 *
 * <p>Read with a minimal protobuf wire-format decoder (no protobuf dependency). Field numbers from
 * sentencepiece's {@code sentencepiece_model.proto}: ModelProto 1 = pieces, 2 = trainer_spec, 3 =
 * normalizer_spec; SentencePiece 1 = piece, 2 = score, 3 = type; TrainerSpec 3 = model_type;
 * NormalizerSpec 1 = name.
 *
 * @param pieces every piece by id
 * @param modelType trainer_spec.model_type (1 unigram, 2 BPE, 3 word, 4 char)
 * @param normalizerName normalizer_spec.name, e.g. {@code nmt_nfkc}; empty if absent
 */
public record SentencePieceModel(List<Piece> pieces, int modelType, String normalizerName) {

  /** trainer_spec.model_type of a unigram model (proto default). */
  public static final int UNIGRAM = 1;

  /** The piece types of {@code SentencePiece.Type}. */
  public enum PieceType {
    NORMAL,
    UNKNOWN,
    CONTROL,
    USER_DEFINED,
    UNUSED,
    BYTE;

    static PieceType of(long protoValue) {
      return switch ((int) protoValue) {
        case 1 -> NORMAL;
        case 2 -> UNKNOWN;
        case 3 -> CONTROL;
        case 4 -> USER_DEFINED;
        case 5 -> UNUSED;
        case 6 -> BYTE;
        default -> throw new IllegalArgumentException("unknown piece type " + protoValue);
      };
    }
  }

  /** One vocabulary entry. */
  public record Piece(String piece, float score, PieceType type) {}

  public SentencePieceModel {
    pieces = List.copyOf(pieces);
    if (pieces.isEmpty()) {
      throw new IllegalArgumentException("pieces: the model has no pieces");
    }
  }

  /** Number of pieces (the SentencePiece vocabulary size, without T5's sentinel tokens). */
  public int size() {
    return pieces.size();
  }

  /** The id of the first piece spelled {@code piece}, or -1. */
  public int idOf(String piece) {
    for (int i = 0; i < pieces.size(); i++) {
      if (pieces.get(i).piece().equals(piece)) {
        return i;
      }
    }
    return -1;
  }

  /** The id of the UNKNOWN piece, or -1. */
  public int unknownId() {
    for (int i = 0; i < pieces.size(); i++) {
      if (pieces.get(i).type() == PieceType.UNKNOWN) {
        return i;
      }
    }
    return -1;
  }

  /** Reads {@code spiece.model}; a missing or malformed file is a {@link WeightException}. */
  public static SentencePieceModel read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new WeightException("missing SentencePiece model " + file, e);
    } catch (IOException e) {
      throw new WeightException("cannot read SentencePiece model " + file, e);
    }
    try {
      return parse(bytes);
    } catch (RuntimeException e) {
      throw new WeightException("corrupt SentencePiece model " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses the serialized {@code ModelProto}. */
  public static SentencePieceModel parse(byte[] bytes) {
    List<Piece> pieces = new ArrayList<>();
    int modelType = UNIGRAM;
    String normalizer = "";
    Wire in = new Wire(ByteBuffer.wrap(bytes));
    while (in.hasMore()) {
      long key = in.varint();
      int field = (int) (key >>> 3);
      int wireType = (int) (key & 7);
      if (field == 1 && wireType == Wire.LENGTH) {
        pieces.add(parsePiece(in.sub()));
      } else if (field == 2 && wireType == Wire.LENGTH) {
        modelType = parseModelType(in.sub());
      } else if (field == 3 && wireType == Wire.LENGTH) {
        normalizer = parseNormalizerName(in.sub());
      } else {
        in.skip(wireType);
      }
    }
    return new SentencePieceModel(pieces, modelType, normalizer);
  }

  private static Piece parsePiece(Wire in) {
    String piece = "";
    float score = 0f;
    PieceType type = PieceType.NORMAL; // proto2 default
    while (in.hasMore()) {
      long key = in.varint();
      int field = (int) (key >>> 3);
      int wireType = (int) (key & 7);
      if (field == 1 && wireType == Wire.LENGTH) {
        piece = in.string();
      } else if (field == 2 && wireType == Wire.FIXED32) {
        score = Float.intBitsToFloat(in.fixed32());
      } else if (field == 3 && wireType == Wire.VARINT) {
        type = PieceType.of(in.varint());
      } else {
        in.skip(wireType);
      }
    }
    return new Piece(piece, score, type);
  }

  private static int parseModelType(Wire in) {
    int type = UNIGRAM;
    while (in.hasMore()) {
      long key = in.varint();
      int wireType = (int) (key & 7);
      if ((key >>> 3) == 3 && wireType == Wire.VARINT) {
        type = (int) in.varint();
      } else {
        in.skip(wireType);
      }
    }
    return type;
  }

  private static String parseNormalizerName(Wire in) {
    String name = "";
    while (in.hasMore()) {
      long key = in.varint();
      int wireType = (int) (key & 7);
      if ((key >>> 3) == 1 && wireType == Wire.LENGTH) {
        name = in.string();
      } else {
        in.skip(wireType);
      }
    }
    return name;
  }

  /** Protobuf wire-format reader over a little-endian buffer. */
  private static final class Wire {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH = 2;
    static final int FIXED32 = 5;

    private final ByteBuffer buf;

    Wire(ByteBuffer buf) {
      this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
    }

    boolean hasMore() {
      return buf.hasRemaining();
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = buf.get();
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IllegalArgumentException("varint longer than 10 bytes");
    }

    int fixed32() {
      return buf.getInt();
    }

    Wire sub() {
      int length = length();
      ByteBuffer slice = buf.slice();
      slice.limit(length);
      buf.position(buf.position() + length);
      return new Wire(slice);
    }

    String string() {
      int length = length();
      byte[] bytes = new byte[length];
      buf.get(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }

    void skip(int wireType) {
      switch (wireType) {
        case VARINT -> varint();
        case FIXED64 -> buf.position(buf.position() + 8);
        case LENGTH -> {
          int length = length(); // read first: it advances the position
          buf.position(buf.position() + length);
        }
        case FIXED32 -> buf.position(buf.position() + 4);
        default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
      }
    }

    private int length() {
      long length = varint();
      if (length < 0 || length > buf.remaining()) {
        throw new IllegalArgumentException("field length " + length + " exceeds the message");
      }
      return (int) length;
    }
  }
}
