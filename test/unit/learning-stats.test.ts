// The shared statistics: known values of the t distribution, ranks with ties, tests and the seeded PRNG.
import { expect } from 'chai';
import {
  averageRanks,
  benjaminiHochberg,
  cohensD,
  leastSquaresSlope,
  logGamma,
  mean,
  median,
  mulberry32,
  normalCdf,
  oneSampleTTest,
  quantile,
  regularizedIncompleteBeta,
  spearman,
  studentTCdf,
  summarize,
  variance,
  welchTTest,
} from '../../src/learning/math/stats.js';

describe('learning stats', () => {
  it('computes means, variances and quantiles', () => {
    expect(mean([1, 2, 3, 4])).to.equal(2.5);
    expect(mean([])).to.equal(0);
    expect(variance([1, 2, 3, 4])).to.be.closeTo(1.6667, 1e-4);
    expect(variance([5])).to.equal(0);
    expect(quantile([4, 1, 3, 2, 5], 0.5)).to.equal(3);
    expect(quantile([1, 2, 3, 4], 0.25)).to.equal(1.75);
    expect(median([])).to.be.NaN;
  });

  it('ranks ties by their mean rank and computes Spearman with ties', () => {
    expect(averageRanks([10, 20, 20, 30])).to.deep.equal([1, 2.5, 2.5, 4]);
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 100])).to.be.closeTo(1, 1e-12);
    expect(spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1])).to.be.closeTo(-1, 1e-12);
    // scipy.stats.spearmanr([1,2,2,3],[1,3,2,4]) = 0.9486832980505138
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).to.be.closeTo(0.9486833, 1e-6);
  });

  it('fits a least-squares slope', () => {
    expect(leastSquaresSlope([0, 1, 2, 3], [1, 3, 5, 7])).to.be.closeTo(2, 1e-12);
    expect(leastSquaresSlope([1, 1], [2, 3])).to.equal(0);
  });

  it('matches known values of Γ, the incomplete beta and the t distribution', () => {
    expect(logGamma(5)).to.be.closeTo(Math.log(24), 1e-10);
    expect(logGamma(0.5)).to.be.closeTo(Math.log(Math.sqrt(Math.PI)), 1e-10);
    expect(regularizedIncompleteBeta(0.5, 2, 2)).to.be.closeTo(0.5, 1e-12);
    expect(regularizedIncompleteBeta(0.3, 2, 5)).to.be.closeTo(0.579825, 1e-6);
    // Critical values from t tables.
    expect(studentTCdf(2.228, 10)).to.be.closeTo(0.975, 1e-4);
    expect(studentTCdf(12.706, 1)).to.be.closeTo(0.975, 1e-4);
    expect(studentTCdf(-2.015, 5)).to.be.closeTo(0.05, 1e-4);
    expect(studentTCdf(0, 3.7)).to.be.closeTo(0.5, 1e-12);
    // With few degrees of freedom the tails are much heavier than the normal's.
    expect(1 - studentTCdf(3, 2)).to.be.greaterThan(5 * (1 - normalCdf(3)));
    expect(normalCdf(1.959964)).to.be.closeTo(0.975, 1e-6);
  });

  it("runs Welch's t-test (matches scipy) and Cohen's d", () => {
    const a = summarize([19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0]);
    const b = summarize([28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7, 23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3]);
    const result = welchTTest(a, b);
    // scipy.stats.ttest_ind(a, b, equal_var=False): t = -2.225512, p = 0.0354845, df = 24.524635
    expect(result.t).to.be.closeTo(-2.225512, 1e-6);
    expect(result.degreesOfFreedom).to.be.closeTo(24.524635, 1e-5);
    expect(result.pValue).to.be.closeTo(0.0354845, 1e-6);
    expect(cohensD(summarize([1, 2, 3]), summarize([1, 2, 3]))).to.equal(0);
    // Means of identical values differ only in their last bits: no effect, not an infinite one.
    const constantA = summarize(Array(7).fill(0.05));
    const constantB = summarize(Array(3).fill(0.05));
    expect(welchTTest(constantA, constantB).pValue).to.equal(1);
    expect(cohensD(constantA, constantB)).to.equal(0);
    expect(welchTTest(summarize([1, 1]), summarize([2, 2])).pValue).to.equal(0);
    expect(welchTTest(summarize([1]), b).pValue).to.equal(1);
    expect(oneSampleTTest(summarize([1, 2, 3, 4, 5]), 3).pValue).to.be.closeTo(1, 1e-12);
  });

  it('controls the false discovery rate with Benjamini–Hochberg', () => {
    expect(benjaminiHochberg([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205], 0.05)).to.deep.equal([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(benjaminiHochberg([0.01, 0.02, 0.03], 0.05)).to.deep.equal([true, true, true]);
  });

  it('gives the same sequence for the same seed', () => {
    const first = mulberry32(42);
    const second = mulberry32(42);
    const draws = Array.from({ length: 5 }, () => first());
    expect(Array.from({ length: 5 }, () => second())).to.deep.equal(draws);
    expect(draws.every((x) => x >= 0 && x < 1)).to.equal(true);
    expect(mulberry32(43)()).to.not.equal(draws[0]);
  });
});
