package io.pixartdelta.pixart.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader that understands only what a PyTorch state-dict checkpoint needs and refuses
 * everything else. It never executes code: the only callables are an allow-list of globals ({@code
 * collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_parameter},
 * typed storages) interpreted here in Java, and any other global or opcode fails with {@link
 * UnsafePickleException}.
 *
 * <p>Values: Python str → {@link String}, int → {@link Long}, float → {@link Double}, bool → {@link
 * Boolean}, None → {@code null}, tuple → {@link Tuple}, list → {@link List}, dict/OrderedDict →
 * {@link LinkedHashMap}, tensors → {@link TensorRef}.
 */
final class RestrictedUnpickler {

  /** A pickle refers to a global or uses an opcode outside the checkpoint subset. */
  static final class UnsafePickleException extends WeightException {
    UnsafePickleException(String message) {
      super(message);
    }
  }

  /** An immutable Python tuple. */
  record Tuple(List<Object> items) {
    Tuple {
      items = List.copyOf(nullSafe(items));
    }

    private static List<Object> nullSafe(List<Object> items) {
      // List.copyOf rejects nulls; tuples may hold None, so box it.
      List<Object> out = new ArrayList<>(items.size());
      for (Object o : items) {
        out.add(o == null ? NONE : o);
      }
      return out;
    }

    Object get(int i) {
      Object o = items.get(i);
      return o == NONE ? null : o;
    }

    int size() {
      return items.size();
    }
  }

  /** A storage named by a persistent id: its element type, zip entry key and element count. */
  record StorageRef(StoredType dtype, String key, long numel) {}

  /** A tensor view into a storage. */
  record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

  private record Global(String module, String name) {
    String qualified() {
      return module + "." + name;
    }
  }

  private static final Object NONE = new Object();

  private static final Map<String, StoredType> STORAGES =
      Map.ofEntries(
          Map.entry("FloatStorage", StoredType.F32),
          Map.entry("HalfStorage", StoredType.F16),
          Map.entry("BFloat16Storage", StoredType.BF16),
          Map.entry("DoubleStorage", StoredType.F64),
          Map.entry("LongStorage", StoredType.I64),
          Map.entry("IntStorage", StoredType.I32),
          Map.entry("CharStorage", StoredType.I8),
          Map.entry("ByteStorage", StoredType.U8),
          Map.entry("BoolStorage", StoredType.BOOL));

  private static final Set<String> CALLABLES =
      Set.of(
          "collections.OrderedDict",
          "torch._utils._rebuild_tensor_v2",
          "torch._utils._rebuild_parameter");

  private final ByteBuffer in;
  private final String source;
  private final Deque<Object> stack = new ArrayDeque<>();
  private final Deque<Deque<Object>> marks = new ArrayDeque<>();
  private final Map<Long, Object> memo = new HashMap<>();

  private RestrictedUnpickler(byte[] data, String source) {
    this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    this.source = source;
  }

  /** Unpickles {@code data}; {@code source} names the file in error messages. */
  static Object load(byte[] data, String source) {
    try {
      return new RestrictedUnpickler(data, source).run();
    } catch (java.nio.BufferUnderflowException e) {
      throw new WeightException("truncated pickle in " + source);
    }
  }

  private Object run() {
    while (true) {
      int op = in.get() & 0xFF;
      switch (op) {
        case 0x80: // PROTO
          int proto = in.get() & 0xFF;
          if (proto > 5) {
            throw refuse("pickle protocol " + proto);
          }
          break;
        case 0x95: // FRAME
          in.getLong();
          break;
        case '.': // STOP
          return unbox(pop());
        case '(': // MARK
          marks.push(new ArrayDeque<>(stack));
          stack.clear();
          break;
        case '0': // POP
          pop();
          break;
        case '1': // POP_MARK
          popMark();
          break;
        case '2': // DUP
          stack.push(stack.peek());
          break;
        case '}': // EMPTY_DICT
          stack.push(new LinkedHashMap<String, Object>());
          break;
        case ']': // EMPTY_LIST
          stack.push(new ArrayList<>());
          break;
        case ')': // EMPTY_TUPLE
          stack.push(new Tuple(List.of()));
          break;
        case 't': // TUPLE
          stack.push(new Tuple(popMark()));
          break;
        case 0x85: // TUPLE1
          stack.push(new Tuple(popN(1)));
          break;
        case 0x86: // TUPLE2
          stack.push(new Tuple(popN(2)));
          break;
        case 0x87: // TUPLE3
          stack.push(new Tuple(popN(3)));
          break;
        case 'l': // LIST
          stack.push(new ArrayList<>(popMark()));
          break;
        case 'd': // DICT
          {
            List<Object> items = popMark();
            Map<String, Object> d = new LinkedHashMap<>();
            putAll(d, items);
            stack.push(d);
            break;
          }
        case 'a': // APPEND
          {
            Object v = pop();
            asList(stack.peek()).add(v);
            break;
          }
        case 'e': // APPENDS
          {
            List<Object> items = popMark();
            asList(stack.peek()).addAll(items);
            break;
          }
        case 's': // SETITEM
          {
            Object v = pop();
            Object k = pop();
            asMap(stack.peek()).put(key(k), v);
            break;
          }
        case 'u': // SETITEMS
          {
            List<Object> items = popMark();
            putAll(asMap(stack.peek()), items);
            break;
          }
        case 'J': // BININT
          stack.push((long) in.getInt());
          break;
        case 'K': // BININT1
          stack.push((long) (in.get() & 0xFF));
          break;
        case 'M': // BININT2
          stack.push((long) (in.getShort() & 0xFFFF));
          break;
        case 0x8a: // LONG1
          stack.push(readLong(in.get() & 0xFF));
          break;
        case 'N': // NONE
          stack.push(NONE);
          break;
        case 0x88: // NEWTRUE
          stack.push(true);
          break;
        case 0x89: // NEWFALSE
          stack.push(false);
          break;
        case 'G': // BINFLOAT (big-endian)
          stack.push(Double.longBitsToDouble(Long.reverseBytes(in.getLong())));
          break;
        case 'X': // BINUNICODE
          stack.push(readString(in.getInt()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          stack.push(readString(in.get() & 0xFF));
          break;
        case 'T': // BINSTRING (Python 2 str)
          stack.push(readString(in.getInt()));
          break;
        case 'U': // SHORT_BINSTRING
          stack.push(readString(in.get() & 0xFF));
          break;
        case 'q': // BINPUT
          memo.put((long) (in.get() & 0xFF), stack.peek());
          break;
        case 'r': // LONG_BINPUT
          memo.put(Integer.toUnsignedLong(in.getInt()), stack.peek());
          break;
        case 0x94: // MEMOIZE
          memo.put((long) memo.size(), stack.peek());
          break;
        case 'h': // BINGET
          stack.push(memoGet(in.get() & 0xFF));
          break;
        case 'j': // LONG_BINGET
          stack.push(memoGet(Integer.toUnsignedLong(in.getInt())));
          break;
        case 'c': // GLOBAL
          stack.push(global(readLine(), readLine()));
          break;
        case 0x93: // STACK_GLOBAL
          {
            Object name = pop();
            Object module = pop();
            if (!(module instanceof String) || !(name instanceof String)) {
              throw refuse("STACK_GLOBAL with non-string operands");
            }
            stack.push(global((String) module, (String) name));
            break;
          }
        case 'Q': // BINPERSID
          stack.push(persistent(pop()));
          break;
        case 'R': // REDUCE
          {
            Object args = pop();
            Object callable = pop();
            stack.push(reduce(callable, args));
            break;
          }
        case 'b': // BUILD
          {
            Object state = pop();
            Object target = stack.peek();
            // OrderedDict instance attributes (e.g. a state dict's _metadata): accepted, unused.
            if (!(target instanceof Map) || !(state instanceof Map || state == NONE)) {
              throw refuse("BUILD on " + describe(target));
            }
            break;
          }
        default:
          throw refuse(String.format("opcode 0x%02x", op));
      }
    }
  }

  private UnsafePickleException refuse(String what) {
    return new UnsafePickleException(
        "refusing to load "
            + source
            + ": "
            + what
            + " is not allowed in a checkpoint (only tensors, storages, dicts, lists, tuples,"
            + " numbers, strings)");
  }

  private Object global(String module, String name) {
    String q = module + "." + name;
    if (module.equals("torch") && STORAGES.containsKey(name)) {
      return new Global(module, name);
    }
    if (CALLABLES.contains(q)) {
      return new Global(module, name);
    }
    throw refuse("global " + q);
  }

  private Object persistent(Object pid) {
    if (!(pid instanceof Tuple)) {
      throw refuse("persistent id " + describe(pid));
    }
    Tuple t = (Tuple) pid;
    if (t.size() < 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof Global)) {
      throw refuse("persistent id " + t);
    }
    Global type = (Global) t.get(1);
    StoredType dtype = STORAGES.get(type.name());
    if (dtype == null || !type.module().equals("torch")) {
      throw refuse("storage type " + type.qualified());
    }
    return new StorageRef(dtype, String.valueOf(t.get(2)), asLong(t.get(4)));
  }

  private Object reduce(Object callable, Object args) {
    if (!(callable instanceof Global) || !(args instanceof Tuple)) {
      throw refuse("call of " + describe(callable));
    }
    Global g = (Global) callable;
    Tuple a = (Tuple) args;
    switch (g.qualified()) {
      case "collections.OrderedDict":
        if (a.size() != 0) {
          throw refuse("OrderedDict with arguments");
        }
        return new LinkedHashMap<String, Object>();
      case "torch._utils._rebuild_tensor_v2":
        {
          if (a.size() < 4 || !(a.get(0) instanceof StorageRef)) {
            throw refuse("_rebuild_tensor_v2 arguments " + a);
          }
          long[] size = longs(a.get(2));
          long[] stride = longs(a.get(3));
          if (size.length != stride.length) {
            throw new WeightException("tensor with size/stride rank mismatch in " + source);
          }
          return new TensorRef((StorageRef) a.get(0), asLong(a.get(1)), size, stride);
        }
      case "torch._utils._rebuild_parameter":
        if (a.size() < 1 || !(a.get(0) instanceof TensorRef)) {
          throw refuse("_rebuild_parameter arguments " + a);
        }
        return a.get(0);
      default:
        throw refuse("call of " + g.qualified());
    }
  }

  private long[] longs(Object o) {
    if (!(o instanceof Tuple)) {
      throw refuse("tensor size " + describe(o));
    }
    Tuple t = (Tuple) o;
    long[] out = new long[t.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = asLong(t.get(i));
    }
    return out;
  }

  private long asLong(Object o) {
    if (!(o instanceof Long)) {
      throw refuse("expected an int, got " + describe(o));
    }
    return (Long) o;
  }

  private String key(Object k) {
    if (!(k instanceof String) && !(k instanceof Long)) {
      throw refuse("dict key " + describe(k));
    }
    return k.toString();
  }

  private void putAll(Map<String, Object> d, List<Object> items) {
    if (items.size() % 2 != 0) {
      throw refuse("odd number of dict items");
    }
    for (int i = 0; i < items.size(); i += 2) {
      d.put(key(items.get(i)), items.get(i + 1));
    }
  }

  @SuppressWarnings("unchecked")
  private List<Object> asList(Object o) {
    if (!(o instanceof List)) {
      throw refuse("append to " + describe(o));
    }
    return (List<Object>) o;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> asMap(Object o) {
    if (!(o instanceof Map)) {
      throw refuse("setitem on " + describe(o));
    }
    return (Map<String, Object>) o;
  }

  private Object memoGet(long index) {
    if (!memo.containsKey(index)) {
      throw new WeightException("corrupt pickle in " + source + ": memo " + index + " unset");
    }
    return memo.get(index);
  }

  private Object pop() {
    if (stack.isEmpty()) {
      throw new WeightException("corrupt pickle in " + source + ": stack underflow");
    }
    return stack.pop();
  }

  private List<Object> popN(int n) {
    List<Object> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(0, pop());
    }
    return out;
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) {
      throw new WeightException("corrupt pickle in " + source + ": no mark");
    }
    List<Object> items = new ArrayList<>(stack);
    java.util.Collections.reverse(items);
    stack.clear();
    Deque<Object> saved = marks.pop();
    // ArrayDeque copy preserves iteration order (top first); rebuild the stack in push order.
    List<Object> restore = new ArrayList<>(saved);
    java.util.Collections.reverse(restore);
    for (Object o : restore) {
      stack.push(o);
    }
    return items;
  }

  private long readLong(int n) {
    if (n > 8) {
      throw refuse("integer of " + n + " bytes");
    }
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (long) (in.get() & 0xFF) << (8 * i);
    }
    if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
      v |= -1L << (8 * n); // sign-extend
    }
    return v;
  }

  private String readString(int n) {
    if (n < 0 || n > in.remaining()) {
      throw new WeightException("corrupt pickle in " + source + ": string length " + n);
    }
    byte[] b = new byte[n];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private String readLine() {
    StringBuilder sb = new StringBuilder();
    while (true) {
      byte b = in.get();
      if (b == '\n') {
        return sb.toString();
      }
      sb.append((char) (b & 0xFF));
      if (sb.length() > 256) {
        throw new WeightException("corrupt pickle in " + source + ": global name too long");
      }
    }
  }

  private static Object unbox(Object o) {
    return o == NONE ? null : o;
  }

  private static String describe(Object o) {
    if (o == null || o == NONE) {
      return "None";
    }
    if (o instanceof Global) {
      return ((Global) o).qualified();
    }
    return o.getClass().getSimpleName();
  }
}
