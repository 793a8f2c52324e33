// The small dense solvers of the ridge fits: checked against the definitions (A x = b, A A⁻¹ = I) on random
// symmetric positive-definite matrices of several sizes, including sizes that are not multiples of the unrolling.
import { expect } from 'chai';
import { choleskyFactor, choleskySolve, inverseMatrix } from '../../src/learning/math/linear-algebra.js';
import { mulberry32 } from '../../src/learning/math/stats.js';

/** A random symmetric positive-definite n × n matrix: BᵀB + n·I. */
function spd(n: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const b = Float64Array.from({ length: n * n }, () => random() * 2 - 1);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = i === j ? n : 0;
      for (let k = 0; k < n; k++) sum += b[k * n + i]! * b[k * n + j]!;
      a[i * n + j] = sum;
    }
  }
  return a;
}

describe('linear algebra (Cholesky)', () => {
  for (const n of [1, 2, 3, 4, 5, 7, 17, 60]) {
    it(`solves and inverts a ${n} × ${n} matrix`, () => {
      const a = spd(n, 100 + n);
      const random = mulberry32(n);
      const b = Float64Array.from({ length: n }, () => random() * 10 - 5);
      const x = choleskySolve(a, b, n);
      for (let i = 0; i < n; i++) {
        let ax = 0;
        for (let k = 0; k < n; k++) ax += a[i * n + k]! * x[k]!;
        expect(ax, `(A x)[${i}]`).to.be.closeTo(b[i]!, 1e-9 * (1 + Math.abs(b[i]!)));
      }
      const inverse = inverseMatrix(a, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let product = 0;
          for (let k = 0; k < n; k++) product += a[i * n + k]! * inverse[k * n + j]!;
          expect(product, `(A A⁻¹)[${i}][${j}]`).to.be.closeTo(i === j ? 1 : 0, 1e-9);
          expect(inverse[i * n + j], 'symmetric').to.equal(inverse[j * n + i]);
        }
      }
    });
  }

  it('refuses a matrix that is not positive definite, naming the pivot', () => {
    expect(() => choleskyFactor([1, 2, 2, 1], 2)).to.throw(RangeError, /not positive definite \(pivot 1/);
    expect(() => choleskySolve([1, 0, 0, 1], [1], 2)).to.throw(RangeError, /2×2/);
  });
});
