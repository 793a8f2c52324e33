// For a planned post: the few changes that raise its predicted views most, as counterfactual predictions through the
// same learned model, each with an 80 % interval from the posterior (co)variances of the coefficients it moves.
import { normalQuantile } from '../math/stats.js';
import { columnIndex, encodeFeatures, type ColumnIndex } from './virality-features.js';
import { platformLabel } from './virality-explanation.js';
import type { ViralityModel } from './virality-model.js';
import type { SuggestedChange } from './virality.types.js';
import type { ViralityFeatures } from './virality.js';

const Z80 = normalQuantile(0.9);
const DURATIONS_S = [7, 10, 15, 20, 25, 30, 45, 60, 90, 120];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const two = (h: number) => `${String(h).padStart(2, '0')}:00`;
const signed = (f: number) => `${f < 0 ? '−' : '+'}${Math.abs(Math.round(f * 100))} %`;

interface Change {
  lever: string;
  currentKey: string;
  targetKey: string;
  changed: ViralityFeatures;
  /** The change in words (made only for the changes suggested). */
  action: () => string;
}

/** The alternatives looked at: every hour and weekday, the call to action, a few durations, quality 0.9. */
function alternatives(f: ViralityFeatures): Change[] {
  const changes: Change[] = [];
  for (let hour = 0; hour < 24; hour++) {
    if (hour !== f.publishHour)
      changes.push({
        lever: 'posting_hour',
        currentKey: String(f.publishHour),
        targetKey: String(hour),
        changed: { ...f, publishHour: hour },
        action: () => `Post at ${two(hour)} instead of ${two(f.publishHour)}`,
      });
  }
  for (let day = 1; day <= 7; day++) {
    if (day !== f.publishWeekday)
      changes.push({
        lever: 'posting_weekday',
        currentKey: String(f.publishWeekday),
        targetKey: String(day),
        changed: { ...f, publishWeekday: day },
        action: () => `Post on ${WEEKDAYS[day - 1]} instead of ${WEEKDAYS[f.publishWeekday - 1]}`,
      });
  }
  changes.push({
    lever: 'cta_in_first_5s',
    currentKey: String(f.ctaInFirst5s),
    targetKey: String(!f.ctaInFirst5s),
    changed: { ...f, ctaInFirst5s: !f.ctaInFirst5s },
    action: () => (f.ctaInFirst5s ? 'Drop the call to action from the first 5 s' : 'Add a call to action in the first 5 s'),
  });
  for (const durationS of DURATIONS_S) {
    if (Math.abs(durationS - f.durationS) / f.durationS > 0.2)
      changes.push({
        lever: 'duration',
        currentKey: String(Math.round(f.durationS)),
        targetKey: String(durationS),
        changed: { ...f, durationS },
        action: () => `${durationS < f.durationS ? 'Cut it to' : 'Make it'} ${durationS} s instead of ${Math.round(f.durationS)} s`,
      });
  }
  if (f.qualityScore < 0.8)
    changes.push({
      lever: 'quality_score',
      currentKey: f.qualityScore.toFixed(2),
      targetKey: '0.90',
      changed: { ...f, qualityScore: 0.9 },
      action: () => `Raise production quality to 0.90 (now ${f.qualityScore.toFixed(2)})`,
    });
  return changes;
}

/**
 * Posterior variance of the change of ln(1 + views) between two items: for a change of hour or weekday from the
 * platform's timing covariance (shared + own effect), else dᵀ Σ d over the moved columns with the model's content
 * covariance (models stored before it had one: the variances alone). Undefined when the model has no variances.
 */
function changeVariance(model: ViralityModel, from: ViralityFeatures, to: ViralityFeatures, lever: string): number | undefined {
  const { params } = model;
  const sigma2 = params.logViews.residualVariance;
  if (lever === 'posting_hour' || lever === 'posting_weekday') {
    const c = params.timingCovariance[from.platform];
    if (!c) return undefined;
    const [a, b] = lever === 'posting_hour' ? [from.publishHour, to.publishHour] : [23 + from.publishWeekday, 23 + to.publishWeekday];
    return sigma2 * (c[a * 31 + a] + c[b * 31 + b] - 2 * c[a * 31 + b]);
  }
  if (!params.coefficientVariances) return undefined;
  const { at, platformIndex, indices, values } = designOf(model);
  const dense = new Float64Array(at.size);
  for (const [item, sign] of [
    [to, 1],
    [from, -1],
  ] as const) {
    const count = encodeFeatures(item, params.layout, at, platformIndex, indices, values);
    for (let k = 0; k < count; k++) dense[indices[k]] += sign * values[k];
  }
  const moved = [...dense.keys()].filter((j) => dense[j] !== 0);
  const k = at.hour;
  const covariance = params.contentCovariance;
  let variance = 0;
  for (const a of moved) {
    for (const b of moved) {
      if (covariance && a < k && b < k) variance += dense[a] * dense[b] * covariance[a * k + b];
      else if (a === b) variance += dense[a] * dense[a] * params.coefficientVariances![a];
    }
  }
  return variance;
}

/** A model's design, computed once per loaded model (a batch suggests for up to 1,000 items). */
const designs = new WeakMap<
  ViralityModel,
  { at: ColumnIndex; platformIndex: Map<string, number>; cta: number; quality: number; indices: Int32Array; values: Float64Array }
>();

function designOf(model: ViralityModel) {
  let design = designs.get(model);
  if (!design) {
    const at = columnIndex(model.params.layout);
    const platformIndex = new Map(model.params.layout.platforms.map((p, i) => [p, i]));
    const { columns } = model.params;
    design = {
      at,
      platformIndex,
      cta: columns.indexOf('cta_in_first_5s'),
      quality: columns.indexOf('quality_score'),
      indices: new Int32Array(at.maxEntries),
      values: new Float64Array(at.maxEntries),
    };
    designs.set(model, design);
  }
  return design;
}

/**
 * The change of ln(1 + views) read straight off the coefficients for a change of hour, weekday, call to action or
 * quality (one or two columns each); undefined for the others (encoded in full).
 */
function gainOf(model: ViralityModel, from: ViralityFeatures, change: Change): number | undefined {
  const beta = model.params.logViews.coefficients;
  const { at, platformIndex, cta, quality } = designOf(model);
  const k = platformIndex.get(from.platform);
  const to = change.changed;
  switch (change.lever) {
    case 'posting_hour':
      return (
        beta[at.hour + to.publishHour] -
        beta[at.hour + from.publishHour] +
        (k === undefined ? 0 : beta[at.platformHour + 24 * k + to.publishHour] - beta[at.platformHour + 24 * k + from.publishHour])
      );
    case 'posting_weekday':
      return (
        beta[at.weekday + to.publishWeekday - 1] -
        beta[at.weekday + from.publishWeekday - 1] +
        (k === undefined ? 0 : beta[at.platformWeekday + 7 * k + to.publishWeekday - 1] - beta[at.platformWeekday + 7 * k + from.publishWeekday - 1])
      );
    case 'cta_in_first_5s':
      return beta[cta] * ((to.ctaInFirst5s ? 1 : 0) - (from.ctaInFirst5s ? 1 : 0));
    case 'quality_score':
      return beta[quality] * (to.qualityScore - from.qualityScore);
    default:
      return undefined;
  }
}

/** ln(1 + views) of an item: the model's linear head over the item's sparse encoding (no score or explanation). */
function logViewsOf(model: ViralityModel, features: ViralityFeatures): number {
  const { params } = model;
  const { at, platformIndex, indices, values } = designOf(model);
  const count = encodeFeatures(features, params.layout, at, platformIndex, indices, values);
  let y = params.logViews.intercept;
  for (let a = 0; a < count; a++) y += params.logViews.coefficients[indices[a]] * values[a];
  return y;
}

/**
 * The `limit` changes with the largest expected gain in views whose 80 % interval lies above zero (the best value of
 * each lever), largest first, e.g. "Post at 21:00 instead of 15:00: +41 % views (+18 % to +70 %)."
 * NOTE: the gains are the linear head's differences (microseconds each); the interval only for each lever's best.
 */
export function suggestChanges(model: ViralityModel, features: ViralityFeatures, limit = 3): SuggestedChange[] {
  const base = logViewsOf(model, features);
  const best = new Map<string, { change: Change; gain: number }>();
  for (const change of alternatives(features)) {
    const gain = gainOf(model, features, change) ?? logViewsOf(model, change.changed) - base;
    if (gain > (best.get(change.lever)?.gain ?? 0)) best.set(change.lever, { change, gain });
  }
  const suggestions: (SuggestedChange & { gain: number })[] = [];
  for (const { change, gain } of best.values()) {
    const variance = changeVariance(model, features, change.changed, change.lever);
    if (variance === undefined) continue;
    const spread = Z80 * Math.sqrt(Math.max(0, variance));
    if (gain - spread <= 0) continue;
    const lift = Math.expm1(gain);
    const [p10, p90] = [Math.expm1(gain - spread), Math.expm1(gain + spread)];
    const where = change.lever === 'posting_hour' || change.lever === 'posting_weekday' ? ` on ${platformLabel(features.platform)}` : '';
    suggestions.push({
      gain,
      lever: change.lever,
      currentKey: change.currentKey,
      targetKey: change.targetKey,
      viewsLiftFraction: lift,
      viewsLiftFractionP10: p10,
      viewsLiftFractionP90: p90,
      predictedViews: Math.max(0, Math.expm1(base + gain)),
      text: `${change.action()}${where}: ${signed(lift)} views (${signed(p10)} to ${signed(p90)}).`,
    });
  }
  return suggestions
    .sort((a, b) => b.gain - a.gain)
    .slice(0, limit)
    .map(({ gain: _gain, ...change }) => change);
}
