package io.pixartdelta.worker.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on 127.0.0.1 in front of a server (S3Proxy here), which a test can break the way a
 * network does: {@link #cut()} drops every connection and refuses new ones (the server is
 * unreachable) until {@link #restore()}; {@link #stall()} keeps connections open but stops relaying
 * bytes (requests hang mid-transfer); {@link #throttle(long)} slows what clients send.
 */
final class TcpProxy implements AutoCloseable {
  private static final int CHUNK = 8192;

  private final InetSocketAddress target;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicLong bytesUp = new AtomicLong();
  private final Object gate = new Object();
  private volatile ServerSocket server;
  private volatile boolean stalled;
  private volatile long upBytesPerSecond;
  private volatile boolean closed;

  private TcpProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    ServerSocket first = listen(0);
    this.port = first.getLocalPort();
    accept(first);
  }

  /** Starts a relay to {@code endpoint}'s host and port. */
  static TcpProxy to(URI endpoint) {
    try {
      return new TcpProxy(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The relay's endpoint: {@code endpoint} with the relay's port. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Drops every connection and refuses new ones (connection refused) until {@link #restore()}. */
  synchronized void cut() throws IOException {
    ServerSocket listening = server;
    server = null;
    if (listening != null) {
      listening.close();
    }
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  /** Accepts and relays again, on the same port. */
  synchronized void restore() throws IOException {
    if (server == null) {
      accept(listen(port));
    }
    synchronized (gate) {
      stalled = false;
      gate.notifyAll();
    }
  }

  /** Stops relaying bytes in both directions; open requests hang until {@link #restore()}. */
  void stall() {
    stalled = true;
  }

  /** Limits what each connection relays from client to server (0: no limit). */
  void throttle(long bytesPerSecond) {
    upBytesPerSecond = bytesPerSecond;
  }

  /** Bytes relayed from clients to the server so far. */
  long bytesUp() {
    return bytesUp.get();
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return socket;
  }

  private void accept(ServerSocket listening) {
    server = listening;
    Thread acceptor =
        new Thread(
            () -> {
              while (!listening.isClosed()) {
                try {
                  Socket client = listening.accept();
                  Socket upstream = new Socket(target.getAddress(), target.getPort());
                  sockets.add(client);
                  sockets.add(upstream);
                  pump(client, upstream, true);
                  pump(upstream, client, false);
                } catch (IOException e) {
                  // Closed by cut() or close(); anything else drops that one connection.
                }
              }
            },
            "tcp-proxy-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void pump(Socket from, Socket to, boolean up) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[CHUNK];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  awaitFlowing();
                  out.write(buffer, 0, n);
                  out.flush();
                  if (up) {
                    bytesUp.addAndGet(n);
                    long limit = upBytesPerSecond;
                    if (limit > 0) {
                      Thread.sleep(n * 1000L / limit);
                    }
                  }
                }
              } catch (IOException e) {
                // The other side or cut() closed the connection.
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
              }
            },
            "tcp-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private void awaitFlowing() throws InterruptedException {
    synchronized (gate) {
      while (stalled && !closed) {
        gate.wait(100);
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Already closed.
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    cut();
  }
}
