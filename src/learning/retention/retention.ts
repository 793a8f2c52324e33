// Retention analysis of one post: drop-off points, first-3-s loss, completion and key moments from its curve.
import { clamp, median } from '../math/stats.js';

/** Points of a normalised retention curve: 0 %, 1 %, …, 100 % of the video. */
export const CURVE_POINTS = 101;

/** Length of the intro whose loss is reported, in seconds. */
export const INTRO_S = 3;

/** A point where many viewers leave (mirrors the proto's DropOffPoint). */
export interface DropOffPoint {
  /** Seconds from the start (the loss-weighted centre of the steep stretch). */
  positionS: number;
  /** Percent of the video, 0..100. */
  positionPercent: number;
  /** Share of starting viewers lost over the steep stretch, 0..1. */
  lossFraction: number;
}

/** Kinds of key moment (the proto's KeyMomentKind without the prefix). */
export type KeyMomentKind = 'intro' | 'dip' | 'spike';

/** A notable moment of a retention curve (mirrors the proto's KeyMoment). */
export interface KeyMoment {
  kind: KeyMomentKind;
  positionS: number;
  positionPercent: number;
  /** Fraction still watching at this point. */
  retention: number;
  /** One sentence saying what happened. */
  description: string;
}

/** Input of {@link analyseRetention}. */
export interface RetentionInput {
  /** Fraction still watching at evenly spaced points from 0 % to 100 % (101 points; other lengths are resampled). */
  curve: readonly number[];
  /** Length of the video in seconds (> 0). */
  durationS: number;
  /** Share of viewers who watched again, when the platform reports it. */
  rewatchRate?: number;
}

/** The result of {@link analyseRetention}. */
export interface RetentionResult {
  /** Retention at the end of the curve. */
  completionRate: number;
  /** Share of starting viewers lost in the first 3 s, 0..1. */
  first3sLoss: number;
  /** The steepest losses, steepest first (at most 3). */
  dropOffPoints: DropOffPoint[];
  /** Intro retention, dips and spikes, in video order. */
  keyMoments: KeyMoment[];
}

/** Tuning of the analysis; the defaults are what the service uses. */
export interface RetentionOptions {
  /** Half-width (in percent points) of the moving average over per-percent losses. Default 1 (a 3-point window). */
  smoothingHalfWidth?: number;
  /** A drop-off's peak must exceed this multiple of the median per-percent loss. Default 1.5. */
  dropOffFactor?: number;
  /** A dip's peak must exceed this multiple of the median per-percent loss. Default 3. */
  dipFactor?: number;
  /** Smallest total loss (0..1) worth reporting as a drop-off or dip. Default 0.02. */
  minimumLoss?: number;
  /** Per-percent loss at or below which "almost nobody leaves". Default 0.001 (0.1 % of viewers per 1 % of video). */
  holdLossPerPercent?: number;
  /** Shortest hold stretch reported as a spike, in percent of the video. Default 10. */
  minimumHoldPercent?: number;
  /** Rewatch rate from which rewatches are noted. Default 0.05. */
  notableRewatchRate?: number;
}

const DEFAULTS: Required<RetentionOptions> = {
  smoothingHalfWidth: 1,
  dropOffFactor: 1.5,
  dipFactor: 3,
  minimumLoss: 0.02,
  holdLossPerPercent: 0.001,
  minimumHoldPercent: 10,
  notableRewatchRate: 0.05,
};

/** Resamples a curve sampled at evenly spaced points to `points` points by linear interpolation; negatives → 0. */
export function resampleCurve(curve: readonly number[], points = CURVE_POINTS): number[] {
  if (curve.length === 0) return new Array<number>(points).fill(0);
  if (curve.length === points) return curve.map((v) => Math.max(0, v));
  const out = new Array<number>(points);
  for (let i = 0; i < points; i++) out[i] = Math.max(0, interpolate(curve, (i / (points - 1)) * (curve.length - 1)));
  return out;
}

/** Value of an evenly spaced series at a fractional index. */
function interpolate(series: readonly number[], index: number): number {
  const at = clamp(index, 0, series.length - 1);
  const low = Math.floor(at);
  const high = Math.min(series.length - 1, low + 1);
  return series[low] + (series[high] - series[low]) * (at - low);
}

/** Retention of a 101-point curve at a percent of the video (0..100), interpolated. */
export function retentionAtPercent(curve: readonly number[], percent: number): number {
  return interpolate(curve, (percent / 100) * (curve.length - 1));
}

/** Share of starting viewers lost in the first 3 s (the whole video when it is shorter), 0..1. */
export function first3sLoss(curve: readonly number[], durationS: number): number {
  const introPercent = introEndPercent(durationS);
  return clamp(curve[0] - retentionAtPercent(curve, introPercent), 0, 1);
}

function introEndPercent(durationS: number): number {
  return durationS > 0 ? Math.min(100, (INTRO_S / durationS) * 100) : 100;
}

/** Loss from percent i to i + 1 (rises count as no loss). */
function perPercentLosses(curve: readonly number[]): number[] {
  const losses = new Array<number>(curve.length - 1);
  for (let i = 0; i < losses.length; i++) losses[i] = Math.max(0, curve[i] - curve[i + 1]);
  return losses;
}

function movingAverage(values: readonly number[], halfWidth: number): number[] {
  return values.map((_, i) => {
    let sum = 0;
    let count = 0;
    for (let j = Math.max(0, i - halfWidth); j <= Math.min(values.length - 1, i + halfWidth); j++) {
      sum += values[j];
      count++;
    }
    return sum / count;
  });
}

/** A stretch [first, last] of per-percent segments with a steep loss. */
interface SteepStretch {
  first: number;
  last: number;
  loss: number;
  centrePercent: number;
}

/**
 * Finds up to `limit` non-overlapping steep stretches, steepest first: take the highest smoothed loss, grow the
 * stretch while the smoothed loss stays above half that peak, repeat on what is left.
 */
function steepStretches(losses: readonly number[], peakFloor: number, minimumLoss: number, halfWidth: number, limit: number): SteepStretch[] {
  const smoothed = movingAverage(losses, halfWidth);
  const claimed = new Array<boolean>(losses.length).fill(false);
  const stretches: SteepStretch[] = [];
  while (stretches.length < limit) {
    let peak = -1;
    for (let i = 0; i < smoothed.length; i++) if (!claimed[i] && (peak < 0 || smoothed[i] > smoothed[peak])) peak = i;
    if (peak < 0 || smoothed[peak] <= peakFloor) break;
    const edge = smoothed[peak] / 2;
    let first = peak;
    let last = peak;
    while (first > 0 && !claimed[first - 1] && smoothed[first - 1] >= edge) first--;
    while (last < smoothed.length - 1 && !claimed[last + 1] && smoothed[last + 1] >= edge) last++;
    for (let i = first; i <= last; i++) claimed[i] = true;
    let loss = 0;
    let weighted = 0;
    for (let i = first; i <= last; i++) {
      loss += losses[i];
      weighted += losses[i] * (i + 0.5);
    }
    if (loss >= minimumLoss) stretches.push({ first, last, loss, centrePercent: loss > 0 ? weighted / loss : peak + 0.5 });
  }
  return stretches;
}

const percentText = (fraction: number) => `${Math.round(fraction * 100)} %`;
const secondsText = (seconds: number) => `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;

/** Analyses one retention curve. Pure and deterministic. */
export function analyseRetention(input: RetentionInput, options: RetentionOptions = {}): RetentionResult {
  const settings = { ...DEFAULTS, ...options };
  const curve = resampleCurve(input.curve);
  const durationS = Math.max(input.durationS, 0);
  const toSeconds = (percent: number) => (percent / 100) * durationS;
  const losses = perPercentLosses(curve);
  const typicalLoss = median(losses);

  const dropOffPoints = steepStretches(losses, Math.max(typicalLoss * settings.dropOffFactor, 0), settings.minimumLoss, settings.smoothingHalfWidth, 3).map(
    (stretch) => ({ positionS: toSeconds(stretch.centrePercent), positionPercent: stretch.centrePercent, lossFraction: stretch.loss }),
  );

  const introPercent = introEndPercent(durationS);
  const introRetention = retentionAtPercent(curve, introPercent);
  const introLoss = first3sLoss(curve, durationS);
  const moments: KeyMoment[] = [
    {
      kind: 'intro',
      positionS: toSeconds(introPercent),
      positionPercent: introPercent,
      retention: introRetention,
      description: `After the first ${secondsText(toSeconds(introPercent))}, ${percentText(introRetention)} of viewers are still watching (${percentText(introLoss)} left).`,
    },
  ];

  for (const dip of steepStretches(losses, typicalLoss * settings.dipFactor, settings.minimumLoss, settings.smoothingHalfWidth, 3)) {
    const from = toSeconds(dip.first);
    const to = toSeconds(dip.last + 1);
    moments.push({
      kind: 'dip',
      positionS: toSeconds(dip.centrePercent),
      positionPercent: dip.centrePercent,
      retention: retentionAtPercent(curve, dip.last + 1),
      description: `Between ${secondsText(from)} and ${secondsText(to)}, ${percentText(dip.loss)} of viewers leave, far faster than elsewhere in the video.`,
    });
  }

  moments.push(...holdSpikes(curve, losses, settings, toSeconds), ...rewatchSpikes(curve, input.rewatchRate, settings, toSeconds));
  moments.sort((a, b) => a.positionPercent - b.positionPercent || a.kind.localeCompare(b.kind));

  return { completionRate: curve[curve.length - 1], first3sLoss: introLoss, dropOffPoints, keyMoments: moments };
}

/** Stretches where almost nobody leaves (while a meaningful audience is still watching): the two longest. */
function holdSpikes(curve: readonly number[], losses: readonly number[], settings: Required<RetentionOptions>, toSeconds: (p: number) => number): KeyMoment[] {
  const runs: Array<{ first: number; last: number }> = [];
  let start = -1;
  for (let i = 0; i <= losses.length; i++) {
    const holding = i < losses.length && losses[i] <= settings.holdLossPerPercent && curve[i] >= 0.05;
    if (holding && start < 0) start = i;
    if (!holding && start >= 0) {
      if (i - start >= settings.minimumHoldPercent) runs.push({ first: start, last: i - 1 });
      start = -1;
    }
  }
  runs.sort((a, b) => b.last - b.first - (a.last - a.first) || a.first - b.first);
  return runs.slice(0, 2).map(({ first, last }) => ({
    kind: 'spike' as const,
    positionS: toSeconds(first),
    positionPercent: first,
    retention: curve[first],
    description: `From ${secondsText(toSeconds(first))} to ${secondsText(toSeconds(last + 1))} almost nobody leaves: retention holds at about ${percentText(curve[first])}.`,
  }));
}

/** Places where the curve rises (viewers rewind or rewatch), and a note when the platform reports many rewatches. */
function rewatchSpikes(
  curve: readonly number[],
  rewatchRate: number | undefined,
  settings: Required<RetentionOptions>,
  toSeconds: (p: number) => number,
): KeyMoment[] {
  const spikes: KeyMoment[] = [];
  for (let i = 0; i + 1 < curve.length; i++) {
    const rise = curve[i + 1] - curve[i];
    if (rise > 0.005 && (i === 0 || curve[i] - curve[i - 1] <= 0.005)) {
      spikes.push({
        kind: 'spike',
        positionS: toSeconds(i + 1),
        positionPercent: i + 1,
        retention: curve[i + 1],
        description: `At ${secondsText(toSeconds(i + 1))} the curve rises by ${percentText(rise)}: viewers rewind to watch this part again.`,
      });
    }
  }
  if (rewatchRate !== undefined && rewatchRate >= settings.notableRewatchRate && spikes.length === 0) {
    spikes.push({
      kind: 'spike',
      positionS: toSeconds(100),
      positionPercent: 100,
      retention: curve[curve.length - 1],
      description: `${percentText(rewatchRate)} of viewers watch the video again after it ends.`,
    });
  }
  return spikes.slice(0, 3);
}
