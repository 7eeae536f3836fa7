/**
 * The little dense linear algebra the consistency step needs: the inverse of a symmetric
 * positive definite matrix (at most 47 × 47, one per grouping and measure), by Cholesky.
 * No library: the matrices are tiny and this is the whole of it.
 */
export type Matrix = number[][];

export function choleskyInverse(a: Matrix): Matrix {
  const n = a.length;
  const l: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(sum > 0)) throw new RangeError("matrix is not positive definite");
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  // L⁻¹ (lower triangular), then A⁻¹ = (L⁻¹)ᵀ L⁻¹
  const inv: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    inv[i][i] = 1 / l[i][i];
    for (let j = 0; j < i; j++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum -= l[i][k] * inv[k][j];
      inv[i][j] = sum / l[i][i];
    }
  }
  const out: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < n; k++) sum += inv[k][i] * inv[k][j];
      out[i][j] = out[j][i] = sum;
    }
  }
  return out;
}
