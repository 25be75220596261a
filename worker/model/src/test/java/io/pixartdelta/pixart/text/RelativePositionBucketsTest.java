package io.pixartdelta.pixart.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RelativePositionBucketsTest {

  private static int bucket(int relative) {
    return RelativePositionBuckets.bucket(relative, 32, 128);
  }

  @Test
  void handPickedDistancesMatchTransformers() {
    // transformers' _relative_position_bucket (modeling_t5.py @6b8b757), 32 buckets, max 128.
    assertThat(bucket(-1)).isEqualTo(1);
    assertThat(bucket(+1)).isEqualTo(17);
    assertThat(bucket(-8)).isEqualTo(8);
    assertThat(bucket(-12)).isEqualTo(9);
    assertThat(bucket(-16)).isEqualTo(10);
    assertThat(bucket(-23)).isEqualTo(11);
    assertThat(bucket(-32)).isEqualTo(12);
    assertThat(bucket(-46)).isEqualTo(13);
    assertThat(bucket(-64)).isEqualTo(14);
    assertThat(bucket(-91)).isEqualTo(15);
    assertThat(bucket(+119)).isEqualTo(31);
    assertThat(bucket(0)).isZero();
  }

  @Test
  void everyDistanceFallsInItsLogSpacedBucket() {
    // Bidirectional, 16 per side: 0..7 exact; 8–11 → 8; 12–15 → 9; 16–22 → 10; 23–31 → 11; 32–45 →
    // 12;
    // 46–63 → 13; 64–90 → 14; ≥ 91 → 15; keys after the query add 16.
    int[] firstDistance = {8, 12, 16, 23, 32, 46, 64, 91};
    for (int n = 0; n <= 1000; n++) {
      int expected = n;
      if (n >= 8) {
        expected = 7;
        for (int start : firstDistance) {
          if (n >= start) {
            expected++;
          }
        }
      }
      assertThat(bucket(-n)).as("key %d before the query", n).isEqualTo(expected);
      if (n > 0) {
        assertThat(bucket(n)).as("key %d after the query", n).isEqualTo(expected + 16);
      }
    }
  }

  @Test
  void tableIsRowMajorOverQueryThenKey() {
    long[] t = RelativePositionBuckets.table(3, 5, 32, 128);
    assertThat(t).hasSize(15);
    for (int q = 0; q < 3; q++) {
      for (int k = 0; k < 5; k++) {
        assertThat(t[q * 5 + k]).isEqualTo(bucket(k - q));
      }
    }
  }
}
