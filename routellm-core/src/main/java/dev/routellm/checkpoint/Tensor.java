package dev.routellm.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense float32 tensor in row-major order: a shape and its values. The unit that safetensors files and router files
 * are made of.
 *
 * <p>Immutable and thread-safe: the factory copies the values in and the accessors copy them out.
 */
public final class Tensor {
  private final int[] shape;
  private final float[] values;

  private Tensor(int[] shape, float[] values) {
    this.shape = shape;
    this.values = values;
  }

  /**
   * A tensor with the given values (row-major) and shape. A scalar has the empty shape and one value.
   *
   * @throws IllegalArgumentException when a dimension is negative or the number of values is not the product of the
   *     shape
   */
  public static Tensor of(float[] values, int... shape) {
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(shape, "shape");
    long size = elementCount(shape);
    if (size != values.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + size + " values but " + values.length + " were given");
    }
    return new Tensor(shape.clone(), values.clone());
  }

  /** A tensor of doubles narrowed to float32. */
  public static Tensor of(double[] values, int... shape) {
    Objects.requireNonNull(values, "values");
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return wrap(f, shapeFor(f.length, shape));
  }

  /** A matrix with one row per array; every row must have the same length. */
  public static Tensor ofRows(java.util.List<float[]> rows) {
    Objects.requireNonNull(rows, "rows");
    int cols = rows.isEmpty() ? 0 : rows.get(0).length;
    float[] values = new float[Math.multiplyExact(rows.size(), cols)];
    for (int i = 0; i < rows.size(); i++) {
      float[] row = Objects.requireNonNull(rows.get(i), "row " + i);
      if (row.length != cols) {
        throw new IllegalArgumentException("row " + i + " has " + row.length + " values but row 0 has " + cols);
      }
      System.arraycopy(row, 0, values, i * cols, cols);
    }
    return new Tensor(new int[] {rows.size(), cols}, values);
  }

  /** Takes ownership of {@code values} without copying; for readers that built the array themselves. */
  static Tensor wrap(float[] values, int[] shape) {
    return new Tensor(shape, values);
  }

  private static int[] shapeFor(int length, int[] shape) {
    Objects.requireNonNull(shape, "shape");
    if (elementCount(shape) != length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + elementCount(shape) + " values but " + length
              + " were given");
    }
    return shape.clone();
  }

  /** Number of elements of a shape; dimensions must be {@code >= 0}. */
  static long elementCount(int[] shape) {
    long size = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("dimensions must be >= 0 but shape was " + Arrays.toString(shape));
      }
      size = Math.multiplyExact(size, d);
    }
    return size;
  }

  /** The shape (a copy). */
  public int[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code axis}. */
  public int dim(int axis) {
    return shape[axis];
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Number of values. */
  public int size() {
    return values.length;
  }

  /** The values in row-major order (a copy). */
  public float[] values() {
    return values.clone();
  }

  /** The value at a flat (row-major) index. */
  public float get(int flatIndex) {
    return values[flatIndex];
  }

  /** Row {@code i} of a matrix (a copy). */
  public float[] row(int i) {
    if (shape.length != 2) {
      throw new IllegalStateException("row() needs a matrix but the shape is " + Arrays.toString(shape));
    }
    Objects.checkIndex(i, shape[0]);
    return Arrays.copyOfRange(values, i * shape[1], (i + 1) * shape[1]);
  }

  /** The values without copying, for this package's writers. */
  float[] raw() {
    return values;
  }

  /** Whether the shape equals {@code expected}, where {@code -1} in {@code expected} matches any size. */
  public boolean hasShape(int... expected) {
    if (expected.length != shape.length) {
      return false;
    }
    for (int i = 0; i < shape.length; i++) {
      if (expected[i] >= 0 && expected[i] != shape[i]) {
        return false;
      }
    }
    return true;
  }

  /** A shape pattern for messages: {@code [*, 384]}. */
  static String pattern(int[] expected) {
    return Arrays.toString(expected).replace("-1", "*");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }
}
