// Best time from the learned virality model: marginal hour and weekday effects per platform, with posterior intervals.
import { normalCdf } from '../math/stats.js';
import { columnIndex } from '../virality/virality-features.js';
import type { LinearHead, ViralityModelParams } from '../virality/virality-model.js';

/** z of the 10th/90th percentiles of a normal: an 80 % interval. */
const Z80 = 1.2815515655446004;

/** One hour's or weekday's effect, relative to the platform's average hour (weekday), with an 80 % interval. */
export interface TimeEffect {
  /** The hour (0..23) or the weekday (1..7, Monday = 1). */
  slot: number;
  effect: number;
  effectP10: number;
  effectP90: number;
}

/** What the model says about a platform's timing. */
export interface ModelTiming {
  hourEffects: TimeEffect[];
  weekdayEffects: TimeEffect[];
  /** Up to 3, best first. */
  topHours: number[];
  topWeekdays: number[];
  topSlots: { weekday: number; hour: number }[];
  /** Posterior probability that the top slot's effect exceeds that of the platform's median slot. */
  confidence: number;
}

/**
 * Reads a platform's timing off the model: effect of hour h = shared hour column + the platform's (the other
 * features at their means add a constant), likewise for weekdays; a slot's effect is its hour's plus its weekday's.
 * Intervals and the confidence come from the Gaussian posterior σ²·A⁻¹ of those coefficients (σ² = the head's
 * validation residual variance). Undefined when the model has not seen the platform.
 */
export function modelTiming(params: ViralityModelParams, platform: string, head: LinearHead): ModelTiming | undefined {
  const k = params.layout.platforms.indexOf(platform);
  const covarianceUnit = params.timingCovariance?.[platform];
  if (k < 0 || !covarianceUnit) return undefined;
  const at = columnIndex(params.layout);
  const beta = head.coefficients;
  const components = [
    ...Array.from({ length: 24 }, (_, h) => beta[at.hour + h] + beta[at.platformHour + 24 * k + h]),
    ...Array.from({ length: 7 }, (_, w) => beta[at.weekday + w] + beta[at.platformWeekday + 7 * k + w]),
  ];
  const sigma2 = head.residualVariance;
  /** Variance of Σ weights[a] · component a. */
  const variance = (weights: readonly number[]) => {
    let v = 0;
    for (let a = 0; a < 31; a++) {
      if (weights[a] === 0) continue;
      for (let b = 0; b < 31; b++) if (weights[b] !== 0) v += weights[a] * weights[b] * covarianceUnit[a * 31 + b];
    }
    return Math.max(0, v * sigma2);
  };
  const effects = (offset: number, count: number, first: number): TimeEffect[] => {
    const average = components.slice(offset, offset + count).reduce((s, c) => s + c, 0) / count;
    return Array.from({ length: count }, (_, i) => {
      const weights = new Array<number>(31).fill(0);
      for (let j = 0; j < count; j++) weights[offset + j] = (j === i ? 1 : 0) - 1 / count;
      const effect = components[offset + i] - average;
      const half = Z80 * Math.sqrt(variance(weights));
      return { slot: first + i, effect, effectP10: effect - half, effectP90: effect + half };
    });
  };
  const hourEffects = effects(0, 24, 0);
  const weekdayEffects = effects(24, 7, 1);
  const best = (list: TimeEffect[]) => [...list].sort((a, b) => b.effect - a.effect || a.slot - b.slot).map((e) => e.slot);
  const slots = Array.from({ length: 168 }, (_, i) => ({ weekday: Math.floor(i / 24) + 1, hour: i % 24 }))
    .map((s) => ({ ...s, effect: components[s.hour] + components[23 + s.weekday] }))
    .sort((a, b) => b.effect - a.effect || a.weekday - b.weekday || a.hour - b.hour);
  const top = slots[0];
  const median = slots[84];
  const weights = new Array<number>(31).fill(0);
  weights[top.hour] += 1;
  weights[23 + top.weekday] += 1;
  weights[median.hour] -= 1;
  weights[23 + median.weekday] -= 1;
  const sd = Math.sqrt(variance(weights));
  const gap = top.effect - median.effect;
  return {
    hourEffects,
    weekdayEffects,
    topHours: best(hourEffects).slice(0, 3),
    topWeekdays: best(weekdayEffects).slice(0, 3),
    topSlots: slots.slice(0, 3).map(({ weekday, hour }) => ({ weekday, hour })),
    confidence: sd > 0 ? normalCdf(gap / sd) : gap > 0 ? 1 : 0.5,
  };
}
