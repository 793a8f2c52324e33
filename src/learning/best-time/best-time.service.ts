// GetBestTimeToPost: reads a platform's posts of a look-back window and builds the weekday × hour grid.
import { DAY_MS } from '../../domain/days.js';
import { bestTimeOfRows, nextBestSlotTime, type BestTimeOptions, type BestTimeResult } from '../timing/timing-grid.js';
import type { ViralityModelParams } from '../virality/virality-model.js';
import type { BestTimeRepository } from './best-time.repository.js';
import { modelTiming, type TimeEffect } from './model-best-time.js';
import type { TimingMetricName } from '../timing/timing.types.js';
import type { BestTimeQuery } from './best-time.types.js';

/** The tenant's promoted model as the virality cache serves it (named structurally: the cache imports this file). */
export interface PromotedModels {
  predictor(tenantId: string): Promise<{ kind: 'learned'; version: string; model: { params: ViralityModelParams } } | { kind: 'formula' }>;
}

/** Below this many posts there is no peak to report: the tops are empty and the confidence 0. */
export const MIN_POSTS_FOR_PEAK = 10;

/** The answer of GetBestTimeToPost: the grid in outcome units, the window it covers and the next top slot. */
export interface BestTimeAnswer extends BestTimeResult {
  metric: TimingMetricName;
  /** "cells" (shrunk cell means), or "model:<version>" when the tops and confidence are the learned model's. */
  source: string;
  /** Model only: effects of each hour and weekday relative to the platform's average, with 80 % intervals. */
  hourEffects: TimeEffect[];
  weekdayEffects: TimeEffect[];
  windowStart: Date;
  windowEnd: Date;
  nextBestSlotTime?: Date;
}

/**
 * The grid of one platform's posts published in [from, to), with the outcomes observed before `to`. Views are
 * compared as ln(1 + views) (a few viral posts would otherwise decide every cell); engagement rate as is, over
 * posts with views and an engagement observation.
 */
export async function loadBestTime(
  repo: BestTimeRepository,
  tenantId: string,
  window: { platform: string; timeZone: string; metric: TimingMetricName; from: Date; to: Date },
  options: BestTimeOptions = {},
): Promise<BestTimeResult> {
  return bestTimeOfRows(await repo.timedOutcomes(tenantId, window.platform, window.from, window.to), window, options);
}

/** Means and estimates back in views (exp of the mean of ln(1 + views), minus 1) for the views metric. */
function inOutcomeUnits(result: BestTimeResult, metric: TimingMetricName): BestTimeResult {
  if (metric !== 'views') return result;
  const views = (logViews: number) => Math.max(0, Math.expm1(logViews));
  const cell = (c: BestTimeResult['cells'][number]) => ({ ...c, mean: views(c.mean), shrunkEstimate: views(c.shrunkEstimate) });
  return { ...result, cells: result.cells.map(cell), topSlots: result.topSlots.map(cell), platformMean: views(result.platformMean) };
}

export class BestTimeService {
  constructor(
    private readonly repo: BestTimeRepository,
    /** The tenant's promoted model, when best time should be read from it (the virality cache). */
    private readonly predictors?: PromotedModels,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The model's timing for the query, when the tenant has a promoted model that knows the platform and the
   * metric, and the window reaches the model's training data (a question about the past is answered from cells).
   */
  private async fromModel(tenantId: string, query: BestTimeQuery, windowEnd: Date) {
    const predictor = await this.predictors?.predictor(tenantId);
    if (predictor?.kind !== 'learned') return undefined;
    const { params } = predictor.model;
    const head = query.metric === 'views' ? params.logViews : params.engagementRate;
    if (!head || windowEnd.getTime() < Date.parse(params.trainedTo)) return undefined;
    const timing = modelTiming(params, query.platform, head);
    return timing && { timing, version: predictor.version };
  }

  /**
   * The grid over the `lookbackDays` before min(after, now): a past `after` asks "as of then", a future one
   * (the usual case: "when should I post next?") looks back from now.
   */
  async bestTime(tenantId: string, query: BestTimeQuery): Promise<BestTimeAnswer> {
    const windowEnd = new Date(Math.min(query.after.getTime(), this.now().getTime()));
    const windowStart = new Date(windowEnd.getTime() - query.lookbackDays * DAY_MS);
    const grid = await loadBestTime(this.repo, tenantId, {
      platform: query.platform,
      timeZone: query.timeZone,
      metric: query.metric,
      from: windowStart,
      to: windowEnd,
    });
    // NOTE: with a handful of posts any "best" cell is one lucky post: report the grid and its size, no peak.
    const model = grid.sampleSize < MIN_POSTS_FOR_PEAK ? undefined : await this.fromModel(tenantId, query, windowEnd);
    let result: BestTimeResult = grid.sampleSize < MIN_POSTS_FOR_PEAK ? { ...grid, topHours: [], topWeekdays: [], topSlots: [], confidence: 0 } : grid;
    if (model) {
      // The cells (means and sample sizes) stay; the tops and the confidence are the model's.
      const { timing } = model;
      result = {
        ...grid,
        topHours: timing.topHours,
        topWeekdays: timing.topWeekdays,
        topSlots: timing.topSlots.map((s) => grid.cells[(s.weekday - 1) * 24 + s.hour]),
        confidence: timing.confidence,
      };
    }
    return {
      ...inOutcomeUnits(result, query.metric),
      source: model ? `model:${model.version}` : 'cells',
      hourEffects: model?.timing.hourEffects ?? [],
      weekdayEffects: model?.timing.weekdayEffects ?? [],
      metric: query.metric,
      windowStart,
      windowEnd,
      nextBestSlotTime: nextBestSlotTime(result, query.timeZone, query.after),
    };
  }
}
