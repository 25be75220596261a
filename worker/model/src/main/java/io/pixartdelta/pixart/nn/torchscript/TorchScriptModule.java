package io.pixartdelta.pixart.nn.torchscript;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A TorchScript module compiled by libtorch from source text the project owns (see {@link
 * TorchScriptArchive}), whose methods are called with DJL arrays. The module has no parameters:
 * weights are passed to its methods as tensor arguments, so one module serves every layer and every
 * model instance.
 *
 * <p>Arguments map to TorchScript types as follows: {@link NDArray} → {@code Tensor}; {@link
 * Integer}/{@link Long} → {@code int}; {@link Float}/{@link Double} → {@code float}; {@link
 * Boolean} → {@code bool}; {@code long[]}/{@code int[]} → {@code List[int]}; {@code double[]} →
 * {@code List[float]}; {@link NDList}/{@code NDArray[]} → {@code List[Tensor]}. There is no {@code
 * None}: give an optional tensor its own method. Arrays must come from the PyTorch engine.
 *
 * <p>Results are attached to the manager of the first {@link NDArray} argument (or of the first
 * element of a tensor list that comes before any array), so put the activation first (a weight's
 * manager is capped and would refuse the result). No other DJL array is created by a call.
 *
 * <p>Thread safety: methods may be called concurrently from any number of threads; libtorch runs
 * the compiled methods re-entrantly and the module holds no mutable state. {@link #close()} waits
 * for calls in flight; calls after it fail with {@link IllegalStateException}. Errors raised by
 * libtorch while running a method (shape mismatch, out of memory) surface as DJL's {@link
 * EngineException}.
 */
public final class TorchScriptModule implements AutoCloseable {
  /**
   * DJL's documented switch for TorchScript's graph executor ({@code
   * -Dai.djl.pytorch.graph_optimizer}, default true), honoured for the project's scripts too: off,
   * each script runs without the profiling executor's per-shape specialisation (no compile stall on
   * the first calls of a new shape, no fusion).
   */
  static final boolean GRAPH_OPTIMIZER =
      !"false".equalsIgnoreCase(System.getProperty("ai.djl.pytorch.graph_optimizer", "true"));

  private final String className;
  private final NDManager manager; // owns the native module
  private final PtSymbolBlock block;
  private final Set<String> methods;
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private TorchScriptModule(
      String className, NDManager manager, PtSymbolBlock block, Set<String> methods) {
    this.className = className;
    this.manager = manager;
    this.block = block;
    this.methods = methods;
  }

  /**
   * Compiles {@code source} (defining {@code class <className>(Module):}) on {@code owner}'s
   * device. The module lives in a sub-manager of {@code owner}: closing the owner (the model)
   * closes it.
   *
   * @param owner an open, uncapped PyTorch manager
   * @throws TorchScriptException if libtorch rejects the source
   */
  public static TorchScriptModule load(String className, String source, NDManager owner) {
    Objects.requireNonNull(owner, "owner");
    byte[] archive = TorchScriptArchive.write(className, source);
    return create(className, archive, owner.newSubManager());
  }

  /**
   * Same as {@link #load(String, String, NDManager)} with a manager of its own on {@code device}.
   */
  public static TorchScriptModule load(String className, String source, Device device) {
    Objects.requireNonNull(device, "device");
    byte[] archive = TorchScriptArchive.write(className, source);
    return create(className, archive, NDManager.newBaseManager(device, "PyTorch"));
  }

  /**
   * The UTF-8 text of class-path resource {@code name} resolved against {@code anchor}'s package
   * (the usual home of a module's {@code .py} source next to the class that calls it).
   *
   * @throws TorchScriptException if the resource is missing (a packaging defect)
   */
  public static String resource(Class<?> anchor, String name) {
    try (InputStream in = anchor.getResourceAsStream(name)) {
      if (in == null) {
        throw new TorchScriptException(
            "TorchScript source " + name + " not found next to " + anchor.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new TorchScriptException("cannot read TorchScript source " + name, e);
    }
  }

  private static TorchScriptModule create(String className, byte[] archive, NDManager manager) {
    try {
      if (!(manager instanceof PtNDManager)) {
        throw new IllegalArgumentException(
            "TorchScript needs the PyTorch engine, not " + manager.getEngine().getEngineName());
      }
      manager.setName("torchscript:" + className);
      PtSymbolBlock block =
          JniUtils.loadModule(
              (PtNDManager) manager,
              new ByteArrayInputStream(archive),
              true, // map to the manager's device
              false); // the stream carries no length prefix
      Set<String> names = Set.copyOf(Arrays.asList(JniUtils.getMethodNames(block)));
      return new TorchScriptModule(className, manager, block, names);
    } catch (IOException | EngineException e) {
      manager.close();
      throw new TorchScriptException(
          "TorchScript class " + className + " does not compile or load: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** The TorchScript class name. */
  public String className() {
    return className;
  }

  /** The methods the compiled class defines. */
  public Set<String> methodNames() {
    return methods;
  }

  /** The device the module was loaded for. */
  public Device device() {
    return manager.getDevice();
  }

  /** Runs {@code method} on tensors only and returns its tensor result. */
  public NDArray call(String method, NDArray... args) {
    return call(method, (Object[]) args);
  }

  /**
   * Runs {@code method} on tensors and scalars (see the class javadoc for the type mapping) and
   * returns its tensor result, attached to the first {@link NDArray} argument's manager.
   *
   * @throws IllegalArgumentException for an unknown method or an unsupported argument
   * @throws IllegalStateException if the method returns something other than one tensor, or the
   *     module is closed
   */
  public NDArray call(String method, Object... args) {
    return callInto(resultManager(method, args), method, args);
  }

  /**
   * Runs {@code method} once to derive a tensor from weights (whose managers are capped) and keeps
   * the result as long as this module lives: closed with it.
   */
  public NDArray derive(String method, Object... args) {
    return callInto((PtNDManager) manager, method, args);
  }

  private NDArray callInto(PtNDManager target, String method, Object... args) {
    lifecycle.readLock().lock();
    try {
      try (IValue out = run(method, args)) {
        if (!out.isTensor()) {
          throw new IllegalStateException(
              className + "." + method + " returned " + out.getType() + ", use callAll");
        }
        return out.toTensor(target);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * Runs {@code method} and returns every tensor of its result (a tensor, or a tuple/list of them,
   * flattened in order), attached to the first {@link NDArray} argument's manager.
   */
  public NDList callAll(String method, Object... args) {
    PtNDManager target = resultManager(method, args);
    lifecycle.readLock().lock();
    try {
      try (IValue out = run(method, args)) {
        return out.toNDList(target);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Frees the native module; waits for calls in flight. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        manager.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** Must hold the read lock. */
  private IValue run(String method, Object[] args) {
    if (closed || !manager.isOpen()) {
      throw new IllegalStateException("TorchScript module " + className + " is closed");
    }
    if (!methods.contains(method)) {
      throw new IllegalArgumentException(
          className + " has no method " + method + "; it has " + new TreeSet<>(methods));
    }
    IValue[] inputs = new IValue[args.length];
    try {
      for (int i = 0; i < args.length; i++) {
        inputs[i] = toIValue(method, i, args[i]);
      }
      // libtorch keeps this switch per thread; DJL applies its property only to its own forward().
      JniUtils.setGraphExecutorOptimize(GRAPH_OPTIMIZER);
      return IValueUtils.runMethod(block, method, inputs);
    } finally {
      for (IValue input : inputs) {
        if (input != null) {
          input.close();
        }
      }
    }
  }

  private PtNDManager resultManager(String method, Object[] args) {
    for (Object arg : args) {
      NDArray first = null;
      if (arg instanceof NDArray) {
        first = (NDArray) arg;
      } else if (arg instanceof NDList && !((NDList) arg).isEmpty()) {
        first = ((NDList) arg).get(0);
      } else if (arg instanceof NDArray[] && ((NDArray[]) arg).length > 0) {
        first = ((NDArray[]) arg)[0];
      }
      if (first != null && first.getManager() instanceof PtNDManager) {
        return (PtNDManager) first.getManager();
      }
    }
    throw new IllegalArgumentException(
        className + "." + method + ": needs a PyTorch NDArray argument to own the result");
  }

  private IValue toIValue(String method, int index, Object arg) {
    if (arg instanceof NDArray) {
      return IValue.from(pt(method, index, (NDArray) arg));
    } else if (arg instanceof Double || arg instanceof Float) {
      return IValue.from(((Number) arg).doubleValue());
    } else if (arg instanceof Long || arg instanceof Integer) {
      return IValue.from(((Number) arg).longValue());
    } else if (arg instanceof Boolean) {
      return IValue.from((boolean) (Boolean) arg);
    } else if (arg instanceof long[]) {
      return IValue.listFrom((long[]) arg);
    } else if (arg instanceof int[]) {
      return IValue.listFrom(Arrays.stream((int[]) arg).asLongStream().toArray());
    } else if (arg instanceof double[]) {
      return IValue.listFrom((double[]) arg);
    } else if (arg instanceof NDList || arg instanceof NDArray[]) {
      NDArray[] arrays =
          arg instanceof NDList ? ((NDList) arg).toArray(new NDArray[0]) : (NDArray[]) arg;
      PtNDArray[] tensors = new PtNDArray[arrays.length];
      for (int i = 0; i < arrays.length; i++) {
        tensors[i] = pt(method, index, arrays[i]);
      }
      return IValue.listFrom(tensors);
    }
    throw new IllegalArgumentException(
        className
            + "."
            + method
            + ": argument "
            + index
            + " has unsupported type "
            + (arg == null
                ? "null (TorchScript None cannot be passed)"
                : arg.getClass().getName()));
  }

  private PtNDArray pt(String method, int index, NDArray array) {
    if (!(array instanceof PtNDArray)) {
      throw new IllegalArgumentException(
          className
              + "."
              + method
              + ": argument "
              + index
              + " is not a PyTorch array ("
              + (array == null ? "null" : array.getClass().getName())
              + ")");
    }
    return (PtNDArray) array;
  }
}
