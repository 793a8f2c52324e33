// Small statistics shared by the learning modules: summaries, ranks, tests, distributions and a seeded PRNG.

/** Count, mean and sample variance of a list of numbers. */
export interface Summary {
  n: number;
  mean: number;
  /** Sample variance (n − 1 denominator); 0 when n < 2. */
  variance: number;
}

/** Arithmetic mean; 0 for an empty list (callers that care check the length). */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Sample variance (n − 1 denominator); 0 when there are fewer than two values. */
export function variance(values: ArrayLike<number>, knownMean = mean(values)): number {
  if (values.length < 2) return 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] - knownMean) ** 2;
  return sum / (values.length - 1);
}

/** Sample standard deviation. */
export function standardDeviation(values: ArrayLike<number>): number {
  return Math.sqrt(variance(values));
}

/** Count, mean and sample variance in one call. */
export function summarize(values: ArrayLike<number>): Summary {
  const m = mean(values);
  return { n: values.length, mean: m, variance: variance(values, m) };
}

/** Quantile q (0..1) of an ascending sorted list, linear interpolation between order statistics (R type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const position = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** Quantile q (0..1) of an unsorted list; NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(
    [...values].sort((a, b) => a - b),
    q,
  );
}

/** Median of an unsorted list; NaN for an empty list. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Ranks 1..n, ties sharing the mean of the ranks they span (needed for Spearman with ties). */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) ranks[order[i]] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Pearson correlation; 0 when either side is constant or the lists are shorter than 2. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RangeError(`pearson: ${x.length} x values but ${y.length} y values`);
  if (x.length < 2) return 0;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Spearman rank correlation, ties handled by average ranks. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(averageRanks(x), averageRanks(y));
}

/** Least-squares slope of y on x; 0 when x is constant or there are fewer than 2 points. */
export function leastSquaresSlope(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RangeError(`leastSquaresSlope: ${x.length} x values but ${y.length} y values`);
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/** Cohen's d of a against b with the pooled standard deviation; 0 when both groups are constant. */
export function cohensD(a: Summary, b: Summary): number {
  const dof = a.n + b.n - 2;
  if (dof <= 0) return 0;
  const pooled = Math.sqrt(((a.n - 1) * a.variance + (b.n - 1) * b.variance) / dof);
  const difference = meanDifference(a, b);
  return pooled <= roundingTolerance(a, b) ? 0 : difference / pooled;
}

/**
 * Below this, a difference or a spread is floating-point noise: the mean of identical values can differ from the
 * value in its last bits, which would otherwise make two constant groups look "infinitely" different.
 */
function roundingTolerance(a: Summary, b: Summary): number {
  return 1e-9 * Math.max(Math.abs(a.mean), Math.abs(b.mean), 1e-300);
}

/** a.mean − b.mean, with rounding-level differences set to 0. */
function meanDifference(a: Summary, b: Summary): number {
  const difference = a.mean - b.mean;
  return Math.abs(difference) <= roundingTolerance(a, b) ? 0 : difference;
}

/** Result of a t-test. */
export interface TTestResult {
  t: number;
  degreesOfFreedom: number;
  /** Two-sided p-value. */
  pValue: number;
}

/**
 * Welch's unequal-variance t-test of a against b (Welch–Satterthwaite degrees of freedom).
 * Degenerate inputs (a group under 2, both variances 0) give t = 0 and p = 1 unless the means differ with zero
 * variance, which gives p = 0: the data then separate perfectly.
 */
export function welchTTest(a: Summary, b: Summary): TTestResult {
  if (a.n < 2 || b.n < 2) return { t: 0, degreesOfFreedom: 0, pValue: 1 };
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const standardError = Math.sqrt(va + vb);
  const difference = meanDifference(a, b);
  if (standardError <= roundingTolerance(a, b)) {
    return { t: difference === 0 ? 0 : Math.sign(difference) * Infinity, degreesOfFreedom: a.n + b.n - 2, pValue: difference === 0 ? 1 : 0 };
  }
  const t = difference / standardError;
  const degreesOfFreedom = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  return { t, degreesOfFreedom, pValue: twoSidedTPValue(t, degreesOfFreedom) };
}

/** One-sample t-test of a summary's mean against a reference value. */
export function oneSampleTTest(sample: Summary, reference: number): TTestResult {
  if (sample.n < 2) return { t: 0, degreesOfFreedom: 0, pValue: 1 };
  const standardError = Math.sqrt(sample.variance / sample.n);
  const difference = sample.mean - reference;
  const degreesOfFreedom = sample.n - 1;
  if (standardError === 0) return { t: difference === 0 ? 0 : Math.sign(difference) * Infinity, degreesOfFreedom, pValue: difference === 0 ? 1 : 0 };
  const t = difference / standardError;
  return { t, degreesOfFreedom, pValue: twoSidedTPValue(t, degreesOfFreedom) };
}

/** Two-sided p-value of a t statistic. */
export function twoSidedTPValue(t: number, degreesOfFreedom: number): number {
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, 2 * (1 - studentTCdf(Math.abs(t), degreesOfFreedom)));
}

/**
 * Benjamini–Hochberg: which p-values are discoveries at false discovery rate q.
 * Controls the share of false findings when many buckets are compared at once.
 */
export function benjaminiHochberg(pValues: readonly number[], q: number): boolean[] {
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
  let cutoff = -1;
  order.forEach((index, rank) => {
    if (pValues[index] <= (q * (rank + 1)) / pValues.length) cutoff = rank;
  });
  const discoveries = new Array<boolean>(pValues.length).fill(false);
  for (let rank = 0; rank <= cutoff; rank++) discoveries[order[rank]] = true;
  return discoveries;
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, ~15 significant digits). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz), as in Numerical Recipes' betacf. */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta function I_x(a, b), 0 ≤ x ≤ 1. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // NOTE: the continued fraction converges fast only below (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** CDF of Student's t distribution with the given (possibly fractional) degrees of freedom. */
export function studentTCdf(t: number, degreesOfFreedom: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  if (degreesOfFreedom <= 0) return 0.5;
  const tail = 0.5 * regularizedIncompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** CDF of the standard normal distribution (via erfc, |error| < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  // Numerical Recipes erfc (Chebyshev fit).
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** The z with normalCdf(z) = p (0 < p < 1), by bisection on {@link normalCdf} (|error| < 1e-7). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p ${p} is outside (0, 1)`);
  let low = -10;
  let high = 10;
  for (let i = 0; i < 60; i++) {
    const middle = (low + high) / 2;
    if (normalCdf(middle) < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** A seeded pseudo-random generator: returns floats in [0, 1). */
export type Random = () => number;

/** mulberry32: a tiny, fast, seeded PRNG; the same seed always gives the same sequence. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw from a seeded generator (Box–Muller). */
export function gaussian(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Deterministic Fisher–Yates shuffle of a copy of the list. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** Clamps a value into [low, high]; NaN becomes low. */
export function clamp(value: number, low: number, high: number): number {
  if (Number.isNaN(value)) return low;
  return Math.min(high, Math.max(low, value));
}
