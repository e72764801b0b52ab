package dev.routellm.prediction;

import java.util.Arrays;
import java.util.Objects;

/**
 * Ranks of scores against reference scores, the common scale on which scorers of different kinds are blended
 * ({@link LengthAwareNeighbors}, {@link LexicalNeighbors}): the one place of that formula.
 *
 * <p>Stateless and thread-safe.
 */
public final class Ranks {
  private Ranks() {}

  /**
   * The reference values as floats, sorted, ready for {@link #of}.
   *
   * @throws IllegalArgumentException when there is no value or one is not finite
   */
  public static float[] sortedReference(double[] values, String name) {
    Objects.requireNonNull(values, name);
    if (values.length == 0) {
      throw new IllegalArgumentException(name + " must hold at least one score");
    }
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException(name + " holds a non-finite score " + values[i] + " at " + i);
      }
      out[i] = (float) values[i];
    }
    Arrays.sort(out);
    return out;
  }

  /**
   * A reference tensor of a router file, checked to be what {@link #of} needs: non-empty, finite and sorted.
   *
   * @throws dev.routellm.InvalidFileException naming the file and the tensor otherwise
   */
  static float[] sortedReference(dev.routellm.checkpoint.RouterFile file, String name) {
    float[] v = file.tensor(name, -1).values();
    if (v.length == 0) {
      throw dev.routellm.InvalidFileException.ofResource(file.source(), "tensor '" + name
          + "' must hold at least one reference score but is empty", null);
    }
    for (int i = 1; i < v.length; i++) {
      if (v[i] < v[i - 1]) {
        throw dev.routellm.InvalidFileException.ofResource(file.source(), "tensor '" + name
            + "' must be sorted ascending but entry " + i + " (" + v[i] + ") is below entry " + (i - 1) + " ("
            + v[i - 1] + ")", null);
      }
    }
    return v;
  }

  /** Share of {@code sorted} strictly below {@code v}, plus half the share equal to it (a mid-rank), in [0, 1]. */
  public static double of(float[] sorted, double v) {
    int below = count(sorted, v, false);
    int notAbove = count(sorted, v, true);
    return (below + 0.5 * (notAbove - below)) / sorted.length;
  }

  /** How many sorted values are below {@code v} (or, with {@code orEqual}, not above it): a binary search. */
  private static int count(float[] sorted, double v, boolean orEqual) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v || (orEqual && sorted[mid] == v)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
