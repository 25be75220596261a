package io.pixartdelta.pixart.random;

/**
 * The 32-bit Mersenne Twister (Matsumoto and Nishimura, 1998) with the standard Knuth seeding, as
 * in ATen's {@code at::mt19937}. Not thread-safe.
 */
final class Mt19937 {
  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER = 0x80000000;
  private static final int LOWER = 0x7fffffff;

  private final int[] state = new int[N];
  private int position;

  /** Seeds with the low 32 bits of {@code seed}, as ATen does. */
  Mt19937(long seed) {
    state[0] = (int) seed;
    for (int j = 1; j < N; j++) {
      int previous = state[j - 1];
      state[j] = 1812433253 * (previous ^ (previous >>> 30)) + j;
    }
    position = N; // the first draw regenerates the whole block
  }

  /** The next tempered 32-bit output (use as unsigned). */
  int nextInt() {
    if (position == N) {
      regenerate();
    }
    int y = state[position++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  /** Two consecutive outputs as one 64-bit number, the first one in the high half. */
  long nextLong() {
    long high = nextInt() & 0xffffffffL;
    long low = nextInt() & 0xffffffffL;
    return (high << 32) | low;
  }

  private void regenerate() {
    for (int i = 0; i < N; i++) {
      int y = (state[i] & UPPER) | (state[(i + 1) % N] & LOWER);
      int twisted = (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
      state[i] = state[(i + M) % N] ^ twisted;
    }
    position = 0;
  }
}
