// Forecasts for live posts: ln(1 + views at a horizon) regressed on ln(1 + views at an age), per platform, learned
// from posts whose curve is known up to the horizon; applied at call time to a post's latest views observation.
// Where the post's pre-publication prediction is known, a stacked regression (forecast-stack.ts) combines both.
import { quantile } from '../math/stats.js';
import { applyStackedCell, fitStackedCell, stackInputs, viewsAt, type StackedCell, type StackInputs } from './forecast-stack.js';

export { viewsAt } from './forecast-stack.js';

/** Ages and horizons (hours after publication) the model is learned at; others are interpolated in log-hours. */
export const FORECAST_HOURS = [1, 3, 6, 12, 24, 48, 72, 168, 336, 720, 2160] as const;
/** Horizon of a forecast when none is asked for: 7 days. */
export const DEFAULT_HORIZON_HOURS = 168;
/** Longest horizon accepted: 90 days. */
export const MAX_HORIZON_HOURS = 2160;
/** Fewer posts than this at an (age, horizon): no regression there. */
const MIN_POSTS_PER_CELL = 20;
/** Key of the model pooled over every platform, used for a platform without a model of its own. */
const POOLED = '*';

/** One regression: ln(1 + views at horizonH) ≈ intercept + slope × ln(1 + views at ageH); residual 10th/90th percentiles. */
export interface ForecastCell {
  ageH: number;
  horizonH: number;
  posts: number;
  intercept: number;
  slope: number;
  residualP10: number;
  residualP90: number;
  /** With the pre-publication prediction: the stacked regression (used when the prediction is known). */
  stack?: StackedCell;
}

/** What is stored in learned_models.params for the forecast model. */
export interface ForecastParams {
  kind: 'views_forecast';
  formatVersion: 1;
  /** Latest observation time the model saw (ISO). */
  trainedTo: string;
  /** Platform (or "*": pooled) → its cells. */
  cells: Record<string, ForecastCell[]>;
}

/** One post's views observations, as hours after publication (ascending) and cumulative views. */
export interface ObservedCurve {
  platform: string;
  points: { ageH: number; views: number }[];
  /** The post's out-of-fold pre-publication prediction of ln(1 + views), when there is one. */
  priorLogViews?: number;
}

/** A live post as the stacked cells read it: its observations so far and its pre-publication prediction. */
export interface LiveCurve {
  points: readonly { ageH: number; views: number }[];
  priorLogViews: number;
}

/** A forecast of ln(1 + views) at a horizon with its 80 % interval. */
export interface ViewsForecast {
  /** The horizon forecast at: the one asked for, or the longest learned one when it is beyond. */
  horizonH: number;
  views: number;
  viewsP10: number;
  viewsP90: number;
}

export function isForecastParams(params: unknown): params is ForecastParams {
  const p = params as Partial<ForecastParams> | null;
  return Boolean(p && p.kind === 'views_forecast' && p.formatVersion === 1 && p.cells && typeof p.cells === 'object');
}

function fitCell(pairs: readonly [number, number][], ageH: number, horizonH: number): ForecastCell | undefined {
  const n = pairs.length;
  if (n < MIN_POSTS_PER_CELL) return undefined;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of pairs) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of pairs) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
  }
  const slope = sxx > 1e-12 ? sxy / sxx : 1;
  const intercept = my - slope * mx;
  const residuals = pairs.map(([x, y]) => y - intercept - slope * x);
  return { ageH, horizonH, posts: n, intercept, slope, residualP10: quantile(residuals, 0.1), residualP90: quantile(residuals, 0.9) };
}

/** Learns the cells of every platform (and pooled) from the curves known up to each horizon; undefined when none. */
export function fitForecastModel(curves: readonly ObservedCurve[], trainedTo: Date): ForecastParams | undefined {
  const groups = new Map<string, ObservedCurve[]>([[POOLED, [...curves]]]);
  for (const curve of curves) {
    const group = groups.get(curve.platform);
    if (group) group.push(curve);
    else groups.set(curve.platform, [curve]);
  }
  const cells: Record<string, ForecastCell[]> = {};
  for (const [platform, group] of groups) {
    const fitted: ForecastCell[] = [];
    for (const horizonH of FORECAST_HOURS) {
      const known = group.flatMap((c) => {
        const final = viewsAt(c.points, horizonH);
        return final === undefined ? [] : [{ c, y: Math.log1p(final) }];
      });
      for (const ageH of FORECAST_HOURS) {
        if (ageH >= horizonH) break;
        const cell = fitCell(
          known.map(({ c, y }) => [Math.log1p(viewsAt(c.points, ageH)!), y]),
          ageH,
          horizonH,
        );
        if (!cell) continue;
        const stacked = known.flatMap(({ c, y }) => {
          const x = c.priorLogViews === undefined ? undefined : stackInputs(c.points, ageH, c.priorLogViews);
          return x ? [{ x, y }] : [];
        });
        const stack = fitStackedCell(stacked);
        fitted.push(stack ? { ...cell, stack } : cell);
      }
    }
    if (fitted.length) cells[platform] = fitted;
  }
  return Object.keys(cells).length ? { kind: 'views_forecast', formatVersion: 1, trainedTo: trainedTo.toISOString(), cells } : undefined;
}

/** Weight of `value` between `low` and `high` on the log-hours scale (0 at low, 1 at high). */
const logWeight = (low: number, high: number, value: number) => (high > low ? (Math.log(value) - Math.log(low)) / (Math.log(high) - Math.log(low)) : 0);

interface LogForecast {
  median: number;
  p10: number;
  p90: number;
}

/** One cell's forecast: the stacked regression when it has one and the post's inputs are known, else views only. */
function atCell(cell: ForecastCell, logViews: number, inputs: StackInputs | undefined): LogForecast {
  const { median, p10, p90 } =
    cell.stack && inputs
      ? { median: applyStackedCell(cell.stack, inputs), p10: cell.stack.residualP10, p90: cell.stack.residualP90 }
      : { median: cell.intercept + cell.slope * logViews, p10: cell.residualP10, p90: cell.residualP90 };
  return { median, p10: median + Math.min(0, p10), p90: median + Math.max(0, p90) };
}

/**
 * The cells of one horizon applied at age `ageH`: the forecasts of the learned ages around it, interpolated in
 * log-hours, with the identity (views known exactly) at the horizon itself.
 */
function atHorizon(cells: readonly ForecastCell[], horizonH: number, ageH: number, logViews: number, inputs: StackInputs | undefined): LogForecast | undefined {
  if (ageH >= horizonH) return { median: logViews, p10: logViews, p90: logViews };
  const ages = cells.filter((c) => c.horizonH === horizonH);
  if (!ages.length) return undefined;
  const points = [...ages, { ageH: horizonH, horizonH, posts: 0, intercept: 0, slope: 1, residualP10: 0, residualP90: 0 }];
  let low = points[0];
  let high = points[0];
  if (ageH > points[0].ageH) {
    const after = points.findIndex((p) => p.ageH >= ageH);
    high = points[after];
    low = points[after - 1];
  }
  const w = high === low ? 0 : Math.min(1, Math.max(0, logWeight(low.ageH, high.ageH, ageH)));
  const [lowForecast, highForecast] = [atCell(low, logViews, inputs), atCell(high, logViews, inputs)];
  const mix = (key: keyof LogForecast) => lowForecast[key] + w * (highForecast[key] - lowForecast[key]);
  return { median: mix('median'), p10: mix('p10'), p90: mix('p90') };
}

/**
 * Forecasts views at `horizonH` hours after publication for a post with `views` at age `ageH` (its latest
 * observation): the learned horizons around `horizonH` are each applied at the post's age and interpolated in
 * log-hours; beyond the longest learned horizon, at that one (said in the answer). With `live` (the post's
 * observations and pre-publication prediction), cells that have a stacked regression use it. Undefined when neither the platform nor the pooled model has cells for those horizons.
 */
export function forecastViews(
  params: ForecastParams,
  platform: string,
  ageH: number,
  views: number,
  horizonH: number,
  live?: LiveCurve,
): ViewsForecast | undefined {
  const cells = params.cells[platform] ?? params.cells[POOLED];
  if (!cells) return undefined;
  const logViews = Math.log1p(Math.max(0, views));
  const inputs = live && stackInputs(live.points, ageH, live.priorLogViews);
  const horizons = [...new Set(cells.map((c) => c.horizonH))].sort((a, b) => a - b);
  const above = horizons.findIndex((h) => h >= horizonH);
  const highH = above === -1 ? horizons[horizons.length - 1] : horizons[above];
  const lowH = above > 0 ? horizons[above - 1] : highH;
  const high = atHorizon(cells, highH, ageH, logViews, inputs);
  const low = atHorizon(cells, lowH, ageH, logViews, inputs);
  if (!high || !low) return undefined;
  const w = highH === lowH ? 0 : Math.min(1, Math.max(0, logWeight(Math.max(lowH, ageH), highH, Math.max(horizonH, ageH))));
  const at = (key: keyof LogForecast) => Math.max(logViews, low[key] + w * (high[key] - low[key]));
  return {
    horizonH: Math.min(horizonH, horizons[horizons.length - 1]),
    views: Math.expm1(at('median')),
    viewsP10: Math.expm1(at('p10')),
    viewsP90: Math.expm1(at('p90')),
  };
}
