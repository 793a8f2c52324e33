// The stacked live-post forecast of one (age, horizon) cell: ln(1 + views at the horizon) regressed on the post's
// early views, their growth since half its age, and its pre-publication prediction (out of fold in training), so
// the forecast uses what the model knew before publication and lets the early views take over as the post ages.
import { choleskySolve } from '../math/linear-algebra.js';

/** Fewer posts with a pre-publication prediction than this in a cell: no stacked regression there. */
export const MIN_STACKED_POSTS = 20;

/** What a cell's stacked regression reads of a post at an age. */
export interface StackInputs {
  /** ln(1 + views) at the age. */
  logViews: number;
  /** ln(1 + views at the age) − ln(1 + views at half the age): how fast the post is still growing. */
  growth: number;
  /** The pre-publication prediction of ln(1 + views) (out of fold for training posts). */
  priorLogViews: number;
}

/**
 * ln(1 + views at horizon) ≈ c0 + c1·logViews + c2·growth + c3·priorLogViews; c2 or c3 is 0 when leaving that
 * input out predicted the cell's posts better (leave-one-out). The residual percentiles are leave-one-out residuals', so the
 * 80 % interval is that of posts the cell did not see.
 */
export interface StackedCell {
  posts: number;
  coefficients: [intercept: number, logViews: number, growth: number, priorLogViews: number];
  residualP10: number;
  residualP90: number;
}

/** Views at `ageH`, linear between observations (0 views at publication); undefined past the last one. */
export function viewsAt(points: readonly { ageH: number; views: number }[], ageH: number): number | undefined {
  let previous = { ageH: 0, views: 0 };
  for (const point of points) {
    if (point.ageH >= ageH) {
      const width = point.ageH - previous.ageH;
      return width > 0 ? previous.views + ((point.views - previous.views) * (ageH - previous.ageH)) / width : point.views;
    }
    previous = point;
  }
  return undefined;
}

/** The inputs of a post observed up to at least `ageH`; undefined when it was not. */
export function stackInputs(points: readonly { ageH: number; views: number }[], ageH: number, priorLogViews: number): StackInputs | undefined {
  const views = viewsAt(points, ageH);
  if (views === undefined) return undefined;
  const logViews = Math.log1p(Math.max(0, views));
  return { logViews, growth: logViews - Math.log1p(Math.max(0, viewsAt(points, ageH / 2) ?? 0)), priorLogViews };
}

/** The input sets a cell chooses from: [growth used, prior used]; views alone is the unstacked cell. */
const INPUT_SETS = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

const columnsOf = (x: StackInputs, [withGrowth, withPrior]: readonly [boolean, boolean]) => [
  x.logViews,
  ...(withGrowth ? [x.growth] : []),
  ...(withPrior ? [x.priorLogViews] : []),
];

/**
 * Least squares of y on the columns with an intercept, and its leave-one-out residuals e / (1 − h) (h the
 * leverage), from the centred normal equations; a tiny ridge keeps a constant column (a growth every post shares)
 * solvable.
 */
function leastSquares(rows: readonly number[][], y: readonly number[]) {
  const n = rows.length;
  const p = rows[0].length;
  const means = Array.from({ length: p }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const gram = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  rows.forEach((row, i) => {
    for (let a = 0; a < p; a++) {
      rhs[a] += (row[a] - means[a]) * (y[i] - yMean);
      for (let b = 0; b < p; b++) gram[a * p + b] += (row[a] - means[a]) * (row[b] - means[b]);
    }
  });
  for (let a = 0; a < p; a++) gram[a * p + a] += 1e-9 * (1 + gram[a * p + a]);
  const beta = choleskySolve(gram, rhs, p);
  const inverseColumns = Array.from({ length: p }, (_, j) =>
    choleskySolve(
      gram,
      Float64Array.from({ length: p }, (_, k) => (k === j ? 1 : 0)),
      p,
    ),
  );
  const looResiduals = rows.map((row, i) => {
    const centred = row.map((v, j) => v - means[j]);
    let leverage = 1 / n;
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) leverage += centred[a] * inverseColumns[b][a] * centred[b];
    const residual = y[i] - yMean - centred.reduce((s, v, j) => s + v * beta[j], 0);
    return residual / Math.max(1e-6, 1 - leverage);
  });
  const intercept = yMean - means.reduce((s, m, j) => s + m * beta[j], 0);
  return { intercept, beta: Array.from(beta), looResiduals };
}

/**
 * The 80 % interval's offsets as order statistics of the leave-one-out residuals: the ⌊0.1 (n + 1)⌋-th and
 * ⌈0.9 (n + 1)⌉-th of n, which cover a new exchangeable post at least 80 % of the time (split conformal); plain
 * 10th/90th percentiles of ~100 residuals cover a little less.
 */
function conformalBounds(residuals: readonly number[]): { residualP10: number; residualP90: number } {
  const sorted = [...residuals].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    residualP10: sorted[Math.max(0, Math.floor(0.1 * (n + 1)) - 1)],
    residualP90: sorted[Math.min(n - 1, Math.ceil(0.9 * (n + 1)) - 1)],
  };
}

/**
 * Fits one cell from its posts' inputs and ln(1 + views at the horizon): of the input sets, the one whose
 * leave-one-out residuals are smallest. Undefined with too few posts, or when views alone predict best (then the
 * unstacked cell serves: an input that does not help is never added, since it would only add noise).
 */
export function fitStackedCell(pairs: readonly { x: StackInputs; y: number }[]): StackedCell | undefined {
  if (pairs.length < MIN_STACKED_POSTS) return undefined;
  const y = pairs.map((p) => p.y);
  const fits = INPUT_SETS.map((set) => ({
    set,
    ...leastSquares(
      pairs.map((p) => columnsOf(p.x, set)),
      y,
    ),
  }));
  const press = (residuals: readonly number[]) => residuals.reduce((s, e) => s + e * e, 0);
  const best = fits.reduce((a, b) => (press(b.looResiduals) < press(a.looResiduals) ? b : a));
  const [withGrowth, withPrior] = best.set;
  if (!withGrowth && !withPrior) return undefined;
  const [logViews, ...rest] = best.beta;
  const growth = withGrowth ? rest.shift()! : 0;
  const prior = withPrior ? rest.shift()! : 0;
  return {
    posts: pairs.length,
    coefficients: [best.intercept, logViews, growth, prior],
    ...conformalBounds(best.looResiduals),
  };
}

/** The cell's median forecast of ln(1 + views at its horizon). */
export function applyStackedCell(cell: StackedCell, x: StackInputs): number {
  const [intercept, logViews, growth, prior] = cell.coefficients;
  return intercept + logViews * x.logViews + growth * x.growth + prior * x.priorLogViews;
}
