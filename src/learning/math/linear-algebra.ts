// Solving the small symmetric positive-definite systems of ridge regression (Cholesky).

/**
 * The Cholesky factor L (lower, row-major) of a symmetric positive-definite A = L Lᵀ (size × size, row-major).
 * Throws RangeError when A is not positive definite (a ridge system with λ > 0 always is).
 */
export function choleskyFactor(matrix: ArrayLike<number>, size: number): Float64Array {
  if (matrix.length !== size * size) throw new RangeError(`choleskyFactor: expected a ${size}×${size} matrix`);
  const lower = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * size + j];
      for (let k = 0; k < j; k++) sum -= lower[i * size + k] * lower[j * size + k];
      if (i === j) {
        if (!(sum > 0)) throw new RangeError(`choleskySolve: matrix is not positive definite (pivot ${i} = ${sum})`);
        lower[i * size + i] = Math.sqrt(sum);
      } else lower[i * size + j] = sum / lower[j * size + j];
    }
  }
  return lower;
}

/** Solves L Lᵀ x = b for a factor from {@link choleskyFactor}. */
export function solveFactored(lower: Float64Array, rhs: ArrayLike<number>, size: number): Float64Array {
  if (rhs.length !== size) throw new RangeError(`choleskySolve: expected a ${size}×${size} system`);
  // Forward substitution L y = b, then back substitution Lᵀ x = y.
  const y = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let sum = rhs[i];
    for (let k = 0; k < i; k++) sum -= lower[i * size + k] * y[k];
    y[i] = sum / lower[i * size + i];
  }
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

/** The diagonal of A⁻¹ for a symmetric positive-definite A (size × size, row-major): one solve per column. */
export function inverseDiagonal(matrix: ArrayLike<number>, size: number): Float64Array {
  const lower = choleskyFactor(matrix, size);
  const diagonal = new Float64Array(size);
  const unit = new Float64Array(size);
  for (let j = 0; j < size; j++) {
    unit.fill(0);
    unit[j] = 1;
    diagonal[j] = solveFactored(lower, unit, size)[j];
  }
  return diagonal;
}

/** A⁻¹ (size × size, row-major) of a symmetric positive-definite A: one solve per column. */
export function inverseMatrix(matrix: ArrayLike<number>, size: number): Float64Array {
  const lower = choleskyFactor(matrix, size);
  const inverse = new Float64Array(size * size);
  const unit = new Float64Array(size);
  for (let j = 0; j < size; j++) {
    unit.fill(0);
    unit[j] = 1;
    const column = solveFactored(lower, unit, size);
    for (let i = 0; i < size; i++) inverse[i * size + j] = column[i];
  }
  return inverse;
}
