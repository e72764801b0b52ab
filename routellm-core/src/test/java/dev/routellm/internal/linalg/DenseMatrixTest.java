package dev.routellm.internal.linalg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DenseMatrixTest {
  private static DenseMatrix of(int rows, int cols, double... values) {
    DenseMatrix m = new DenseMatrix(rows, cols);
    System.arraycopy(values, 0, m.data, 0, values.length);
    return m;
  }

  private static DenseMatrix random(int rows, int cols, Random random) {
    DenseMatrix m = new DenseMatrix(rows, cols);
    for (int i = 0; i < m.data.length; i++) {
      m.data[i] = random.nextGaussian();
    }
    return m;
  }

  private static DenseMatrix transpose(DenseMatrix m) {
    DenseMatrix t = new DenseMatrix(m.cols(), m.rows());
    for (int i = 0; i < m.rows(); i++) {
      for (int j = 0; j < m.cols(); j++) {
        t.set(j, i, m.get(i, j));
      }
    }
    return t;
  }

  @Test
  void mult_smallMatrices_matchesHandComputedProduct() {
    DenseMatrix a = of(2, 3, 1, 2, 3, 4, 5, 6);
    DenseMatrix b = of(3, 2, 7, 8, 9, 10, 11, 12);
    assertThat(DenseMatrix.mult(a, b).data).containsExactly(58, 64, 139, 154);
  }

  @Test
  void multTransAAndTransB_randomMatrices_equalProductWithExplicitTranspose() {
    Random random = new Random(7);
    DenseMatrix a = random(5, 4, random);
    DenseMatrix b = random(5, 3, random);
    DenseMatrix c = random(6, 4, random);
    // The same ascending summation order as mult: equal to the bit.
    assertThat(DenseMatrix.multTransA(a, b).data).containsExactly(DenseMatrix.mult(transpose(a), b).data);
    assertThat(DenseMatrix.multTransB(a, c).data).containsExactly(DenseMatrix.mult(a, transpose(c)).data);
  }

  @Test
  void mult_mismatchedShapes_namesBothShapes() {
    assertThatThrownBy(() -> DenseMatrix.mult(new DenseMatrix(2, 3), new DenseMatrix(2, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mult cannot combine a 2 x 3 matrix with a 2 x 3 one");
  }

  @Test
  void solve_randomSystem_reproducesRightHandSide() {
    Random random = new Random(3);
    DenseMatrix a = random(6, 6, random);
    DenseMatrix b = random(6, 2, random);
    DenseMatrix x = DenseMatrix.solve(a, b);
    DenseMatrix back = DenseMatrix.mult(a, x);
    for (int i = 0; i < b.data.length; i++) {
      assertThat(back.data[i]).isCloseTo(b.data[i], within(1e-10));
    }
  }

  @Test
  void solve_singularMatrix_returnsNull() {
    assertThat(DenseMatrix.solve(of(2, 2, 1, 2, 2, 4), of(2, 1, 1, 1))).isNull();
  }

  @Test
  void solveSymmetricPositiveDefinite_spdSystem_matchesLu() {
    Random random = new Random(5);
    DenseMatrix m = random(8, 5, random);
    DenseMatrix spd = DenseMatrix.multTransA(m, m);
    DenseMatrix b = random(5, 1, random);
    DenseMatrix chol = DenseMatrix.solveSymmetricPositiveDefinite(spd, b);
    DenseMatrix lu = DenseMatrix.solve(spd, b);
    for (int i = 0; i < 5; i++) {
      assertThat(chol.data[i]).isCloseTo(lu.data[i], within(1e-9));
    }
  }

  @Test
  void solveSymmetricPositiveDefinite_indefiniteMatrix_returnsNull() {
    assertThat(DenseMatrix.solveSymmetricPositiveDefinite(of(2, 2, 1, 2, 2, 1), of(2, 1, 1, 1))).isNull();
  }

  @Test
  void leastSquares_exactLine_recoversInterceptAndSlope() {
    DenseMatrix a = of(4, 2, 1, 0, 1, 1, 1, 2, 1, 3);
    DenseMatrix b = of(4, 1, 1, 3, 5, 7); // y = 1 + 2x
    DenseMatrix x = DenseMatrix.leastSquares(a, b, 1e-12);
    assertThat(x.data[0]).isCloseTo(1, within(1e-12));
    assertThat(x.data[1]).isCloseTo(2, within(1e-12));
  }

  @Test
  void leastSquares_noisyData_solvesNormalEquations() {
    Random random = new Random(11);
    DenseMatrix a = random(40, 3, random);
    DenseMatrix b = random(40, 1, random);
    DenseMatrix x = DenseMatrix.leastSquares(a, b, 1e-12);
    DenseMatrix normal = DenseMatrix.solve(DenseMatrix.multTransA(a, a), DenseMatrix.multTransA(a, b));
    for (int i = 0; i < 3; i++) {
      assertThat(x.data[i]).isCloseTo(normal.data[i], within(1e-10));
    }
  }

  @Test
  void leastSquares_collinearColumns_returnsNull() {
    DenseMatrix a = of(3, 2, 1, 2, 2, 4, 3, 6);
    assertThat(DenseMatrix.leastSquares(a, of(3, 1, 1, 2, 3), 1e-12)).isNull();
  }

  @Test
  void triangularQuality_identityAndSingular_oneAndZero() {
    assertThat(DenseMatrix.triangularQuality(new double[] {2, -2, 2})).isEqualTo(1.0);
    assertThat(DenseMatrix.triangularQuality(new double[] {2, 0, 1})).isEqualTo(0.0);
  }
}
