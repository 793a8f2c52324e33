// Daily retraining of the virality model (the learning run's update_state step): fit, evaluate, maybe promote.
import { createHash } from 'node:crypto';
import type { Logger } from '../../log.js';
import { bestTimeToPost, slotTimingValue, type BestTimeResult } from '../timing/timing-grid.js';
import { DAY_MS, dayBounds } from '../../domain/days.js';
import type { LearningStateUpdater } from '../run/learning.service.js';
import { mean, quantile } from '../math/stats.js';
import { isValidTimeZone, localTimesByZone } from '../../domain/time-zone.js';
import { FORECAST_MODEL, FORMULA_VERSION, isLoadableParams, VIRALITY_MODEL, type ViralityCacheService } from './virality-cache.service.js';
import { fitForecastModel, type ObservedCurve } from './forecast.js';
import { outOfFoldLogViews } from './out-of-fold.js';
import { PLATFORMS } from '../../domain/platform.js';
import { evaluatePredictor, shouldPromote, timeSplit, type ModelEvaluation, type PromotionDecision, type ScoredModel } from './virality-evaluation.js';
import { fitViralityModel, fitViralityModelWithPrior } from './virality-fit.js';
import { sharedPrior, type SharedPrior } from './shared-prior.js';
import { ViralityModel, type ViralityExample, type ViralityModelParams } from './virality-model.js';
import type { ViralityRepository } from './virality.repository.js';
import type { ModelRow, TrainingRow } from './virality.types.js';
import { coldStartPredictor, type ColdStartContext, type ViralityPredictor } from './virality.js';

export interface TrainerOptions {
  /** Days of publications before the learned day that the model is trained on. Default 180. */
  trainingWindowDays?: number;
  /** Fewer outcomes than this in the window: no training (the current model or the formula stays). Default 200. */
  minOutcomes?: number;
  /** Newest share of the window held out for the evaluation. Default 0.2. */
  holdoutFraction?: number;
}

/** Fewer outcomes than this in the window: the forecast has no stacked cells (too little for 5 folds' models). */
const MIN_STACKED_OUTCOMES = 100;

/** A training row as a model example, keeping the time zone its hour and weekday were read in. */
export interface TrainingExample extends ViralityExample {
  timeZone: string;
}

/** What is stored with every version in learned_models.evaluation. */
export interface StoredEvaluation {
  trainedOnDay: string;
  trainingExamples: number;
  holdout: { examples: number; from: string; to: string };
  /** The candidate and the formula on the whole hold-out. */
  learned: ModelEvaluation;
  formula: ModelEvaluation;
  /** What the promotion compared: the candidate and the current model on hold-out rows neither has seen. */
  compared?: { against: string; candidate: ScoredModel; current: ScoredModel };
  decision: PromotionDecision;
}

/** Rows → examples: hour and weekday of publication in the post's own zone (UTC when the stored zone is unknown). */
export function trainingExamples(rows: readonly TrainingRow[]): TrainingExample[] {
  const localTimeOf = localTimesByZone();
  return rows.map((row) => {
    const timeZone = isValidTimeZone(row.timeZone) ? row.timeZone : 'UTC';
    const { hour, weekday } = localTimeOf(row.publishedAt, timeZone);
    return {
      publishedAt: row.publishedAt,
      timeZone,
      platform: row.platform,
      durationS: row.durationS,
      qualityScore: row.qualityScore,
      aestheticScore: row.aestheticScore,
      captionLengthChars: row.captionLengthChars,
      ctaInFirst5s: row.ctaInFirst5s,
      hashtagCount: row.hashtagCount,
      publishHour: hour,
      publishWeekday: weekday,
      ...(row.first3sLoss !== null ? { first3sLoss: row.first3sLoss } : {}),
      logViews: Math.log1p(row.views),
      ...(row.interactions !== null && row.views > 0 ? { engagementRate: row.interactions / row.views } : {}),
    };
  });
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/**
 * The formula with the inputs the service gives it, computed from the training rows only: views quantiles,
 * engagement rate per platform and the timing grid of each platform in each zone.
 */
export function formulaOf(training: readonly TrainingExample[]): ViralityPredictor {
  const views = training.map((e) => Math.expm1(e.logViews));
  const byPlatform = groupBy(training, (e) => e.platform);
  const byPlatformAndZone = groupBy(training, (e) => `${e.platform}\u0000${e.timeZone}`);
  const engagementRateByPlatform: Record<string, number> = {};
  for (const [platform, group] of byPlatform) {
    const rates = group.flatMap((e) => (e.engagementRate !== undefined ? [e.engagementRate] : []));
    if (rates.length) engagementRateByPlatform[platform] = mean(rates);
  }
  const grids = new Map<string, BestTimeResult>();
  for (const [key, group] of byPlatformAndZone) {
    grids.set(
      key,
      bestTimeToPost(
        group.map((e) => ({ publishedAt: e.publishedAt, outcome: e.logViews })),
        group[0].timeZone,
        { minSampleSize: Number.POSITIVE_INFINITY },
      ),
    );
  }
  const context: ColdStartContext = {
    views: { p10: quantile(views, 0.1), median: quantile(views, 0.5), p90: quantile(views, 0.9) },
    engagementRateByPlatform,
    timingValue: (features) => {
      const grid = grids.get(`${features.platform}\u0000${(features as Partial<TrainingExample>).timeZone ?? 'UTC'}`);
      return grid ? slotTimingValue(grid, features.publishWeekday, features.publishHour) : 0.5;
    },
  };
  return coldStartPredictor(context);
}

/** The model versions a run reports: the virality model in use, the one trained, and best time (always live). */
const modelVersions = (virality: string, trained?: string) => ({ virality, ...(trained ? { virality_trained: trained } : {}), best_time: 'live' });

/** Whether a stored model was fitted toward the shared prior. */
const isPriorModel = (row: ModelRow | undefined) => Boolean(row && isLoadableParams(row.params) && row.params.prior);

/** A version name that is the same for the same day and the same parameters. */
export function versionOf(day: string, params: ViralityModelParams): string {
  return `v${day.replaceAll('-', '')}-${createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 8)}`;
}

/**
 * The learning run's state updater: on each day, fits a candidate on the oldest 80 % of the window's outcomes,
 * evaluates it on the newest 20 % (Spearman ρ, MAE on ln(1 + views), 80 % interval coverage) next to the formula,
 * and promotes it if it beats the current model — the formula, or the promoted model on hold-out rows published
 * after that model's training data (a candidate trained on no newer data than the current model is never promoted). Every version is stored with its evaluation. The stored model is the one
 * evaluated, so its measured coverage is the coverage of what serves.
 */
export class ViralityTrainingService implements LearningStateUpdater {
  constructor(
    private readonly repo: ViralityRepository,
    private readonly cache: ViralityCacheService,
    private readonly log: Logger,
    private readonly options: TrainerOptions = {},
  ) {}

  /**
   * Learns the live-post forecast model from the views curves of the window's posts observed before the day's end
   * and promotes it when it saw newer data than the promoted one. Returns the version in use, if any.
   */
  private async updateForecast(tenantId: string, day: string, from: Date, end: Date): Promise<string | undefined> {
    const current = await this.repo.promotedModel(tenantId, FORECAST_MODEL);
    const curves: ObservedCurve[] = [];
    let longestAgeHours = 0;
    const priors = await this.outOfFoldPriors(tenantId, from, end);
    for (const post of await this.repo.viewsObservations(tenantId, PLATFORMS, from, end)) {
      const published = post.publishedAt.getTime();
      const points = post.observedMs.map((ms, i) => ({ ageH: (ms - published) / 3_600_000, views: post.views[i] }));
      // NOTE: a loop, not Math.max(...ages): one argument per observation overflowed the stack at 500,000.
      for (const p of points) if (p.ageH > longestAgeHours) longestAgeHours = p.ageH;
      const priorLogViews = priors.get(post.postId);
      curves.push({ platform: post.platform, points, ...(priorLogViews !== undefined ? { priorLogViews } : {}) });
    }
    const params = curves.length ? fitForecastModel(curves, end) : undefined;
    if (!params) return current?.version;
    const version = `f${day.replaceAll('-', '')}-${createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 8)}`;
    const currentTrainedTo = (current?.params as { trainedTo?: string } | undefined)?.trainedTo;
    if (current?.version === version || (currentTrainedTo && Date.parse(currentTrainedTo) >= end.getTime())) return current?.version;
    await this.repo.saveModel(tenantId, FORECAST_MODEL, version, day, params, { trainedOnDay: day, posts: curves.length, longestAgeHours });
    if (!(await this.repo.promote(tenantId, FORECAST_MODEL, version, current?.version))) return current?.version;
    this.cache.invalidate(tenantId);
    return version;
  }

  /**
   * Post id → its out-of-fold pre-publication prediction of ln(1 + views), for the forecast's stacked cells: the
   * window's posts, each predicted by a virality model fitted on the other folds with the promoted model's penalties
   * (chosen by cross-validation in each fold before there is one). Empty with too few outcomes for a model.
   */
  private async outOfFoldPriors(tenantId: string, from: Date, end: Date): Promise<Map<string, number>> {
    const rows = await this.repo.trainingRows(tenantId, from, end, end);
    if (rows.length < MIN_STACKED_OUTCOMES) return new Map();
    const current = await this.repo.promotedModel(tenantId, VIRALITY_MODEL);
    const penalties =
      current && isLoadableParams(current.params) && !current.params.prior
        ? { lambdas: [current.params.logViews.lambda], smoothings: [current.params.logViews.smoothing] }
        : {};
    const predictions = outOfFoldLogViews(trainingExamples(rows), penalties);
    return new Map(rows.flatMap((row, i) => (predictions[i] !== undefined ? [[row.postId, predictions[i]] as const] : [])));
  }

  /**
   * A model refreshed between daily runs gives way to the daily version it was refreshed from, so the full refit
   * is judged against a model that has not seen its hold-out (the refresher then resumes from its own state).
   */
  private async restoreDailyModel(tenantId: string): Promise<void> {
    const current = await this.repo.promotedModel(tenantId, VIRALITY_MODEL);
    const base = current && isLoadableParams(current.params) ? current.params.refresh?.baseVersion : undefined;
    if (base && (await this.repo.promote(tenantId, VIRALITY_MODEL, base, current!.version))) this.cache.invalidate(tenantId);
  }

  async update(tenantId: string, day: string): Promise<Record<string, string>> {
    const { end } = dayBounds(day);
    const from = new Date(end.getTime() - (this.options.trainingWindowDays ?? 180) * DAY_MS);
    await this.restoreDailyModel(tenantId);
    // NOTE: side by side: on Postgres one model's reads overlap the other's fitting (PGlite runs them in turn).
    const [forecast, virality] = await Promise.all([this.updateForecast(tenantId, day, from, end), this.updateVirality(tenantId, day, from, end)]);
    return { ...virality, ...(forecast ? { views_forecast: forecast } : {}) };
  }

  /**
   * The prior shared by the sharing tenants other than this one (their promoted own models' coefficients and
   * variances), or undefined with fewer than two of them.
   */
  private async sharedPriorFor(tenantId: string): Promise<SharedPrior | undefined> {
    return sharedPrior(await this.repo.sharedContributions(tenantId, VIRALITY_MODEL));
  }

  /**
   * Stores a model fitted toward the shared prior and promotes it over the formula or a prior model learned on the
   * same or an earlier day (the caller never offers it over an own model). No hold-out contest: like the formula,
   * the prior is what there is before the tenant's own data can be judged; a later prior fit only adds data.
   * Returns the version in use and the one stored.
   */
  private async storePriorModel(tenantId: string, day: string, params: ViralityModelParams, current: ModelRow | undefined, reason: string) {
    const inUse = current?.version ?? FORMULA_VERSION;
    const version = `${versionOf(day, params)}+prior`;
    let decision: PromotionDecision = { promote: true, reason };
    if (current?.version === version) decision = { promote: false, reason: 'this version is already the promoted one' };
    else if (current && day < current.trainedOnDay) {
      // A backfilled (older) day never replaces a model learned on a later day.
      decision = { promote: false, reason: `learned on ${day}, before the current ${current.version} (${current.trainedOnDay})` };
    }
    const evaluation = { trainedOnDay: day, trainingExamples: params.trainedExamples, prior: params.prior, decision };
    await this.repo.saveModel(tenantId, VIRALITY_MODEL, version, day, params, evaluation);
    let now = inUse;
    if (decision.promote && (await this.repo.promote(tenantId, VIRALITY_MODEL, version, current?.version))) {
      now = version;
      this.cache.invalidate(tenantId);
    }
    this.log.info({ tenantId, day, version, promoted: now === version, reason: decision.reason }, 'virality: model fitted toward the shared prior');
    return { now, version };
  }

  private async updateVirality(tenantId: string, day: string, from: Date, end: Date): Promise<Record<string, string>> {
    const examples = trainingExamples(await this.repo.trainingRows(tenantId, from, end, end));
    let current = await this.repo.promotedModel(tenantId, VIRALITY_MODEL);
    const shares = await this.repo.sharesLearning(tenantId);
    if (current && isPriorModel(current) && !shares) {
      // A tenant that stopped sharing no longer receives the prior: back to the formula (or a new own model below).
      if (await this.repo.retire(tenantId, VIRALITY_MODEL, current.version)) this.cache.invalidate(tenantId);
      this.log.info({ tenantId, day, version: current.version }, 'virality: tenant stopped sharing; prior model retired');
      current = undefined;
    }
    const prior = shares && (!current || isPriorModel(current)) ? await this.sharedPriorFor(tenantId) : undefined;
    const inUse = current?.version ?? FORMULA_VERSION;
    const minOutcomes = this.options.minOutcomes ?? 200;
    if (examples.length < minOutcomes) {
      const params = prior && fitViralityModelWithPrior(examples, prior);
      if (params) {
        const reason = `${examples.length} outcomes (own model from ${minOutcomes}): shrunk toward the prior shared by ${params.prior!.contributors} tenants`;
        const { now, version } = await this.storePriorModel(tenantId, day, params, current, reason);
        return modelVersions(now, version);
      }
      this.log.info({ tenantId, day, outcomes: examples.length, minOutcomes }, 'virality: too few outcomes to train; keeping the current model');
      return modelVersions(inUse);
    }
    const { training, holdout } = timeSplit(examples, this.options.holdoutFraction ?? 0.2);
    const params = fitViralityModel(training);
    if (!params) return modelVersions(inUse);
    const version = versionOf(day, params);
    const candidate = new ViralityModel(params);
    const learned = evaluatePredictor(candidate, holdout);
    const formula = evaluatePredictor(formulaOf(training), holdout);

    let compared: StoredEvaluation['compared'];
    let decision: PromotionDecision;
    // NOTE: a current prior model has seen the hold-out: the prior approach is refitted on the same training rows.
    // A backfilled day before the prior model's is judged as any older day (below).
    const challengesPrior = isPriorModel(current) && day >= current!.trainedOnDay;
    const rival = challengesPrior && prior ? fitViralityModelWithPrior(training, prior, { coldStart: false }) : undefined;
    if (current?.version === version) {
      decision = { promote: false, reason: 'this version is already the promoted one' };
    } else if (challengesPrior) {
      const rivalScore: ScoredModel = rival ? { kind: 'learned', ...evaluatePredictor(new ViralityModel(rival), holdout) } : { kind: 'formula', ...formula };
      compared = { against: current!.version, candidate: { kind: 'learned', ...learned }, current: rivalScore };
      decision = shouldPromote(compared.candidate, compared.current);
    } else if (current && isLoadableParams(current.params) && Date.parse(params.trainedTo) <= Date.parse(current.params.trainedTo)) {
      // A backfilled (older) day never replaces a model that has seen newer data.
      decision = {
        promote: false,
        reason: `trained on data up to ${params.trainedTo}, no newer than the current ${current.version} (${current.params.trainedTo})`,
      };
    } else if (current && isLoadableParams(current.params)) {
      // NOTE: only rows newer than the current model's training data: on older ones it would grade its own homework.
      const trainedTo = Date.parse(current.params.trainedTo);
      const unseen = holdout.filter((e) => e.publishedAt.getTime() > trainedTo);
      compared = {
        against: current.version,
        candidate: { kind: 'learned', ...evaluatePredictor(candidate, unseen) },
        current: { kind: 'learned', ...evaluatePredictor(new ViralityModel(current.params), unseen) },
      };
      decision = shouldPromote(compared.candidate, compared.current);
    } else {
      compared = { against: FORMULA_VERSION, candidate: { kind: 'learned', ...learned }, current: { kind: 'formula', ...formula } };
      decision = shouldPromote(compared.candidate, compared.current);
    }
    const evaluation: StoredEvaluation = {
      trainedOnDay: day,
      trainingExamples: training.length,
      holdout: { examples: holdout.length, from: holdout[0].publishedAt.toISOString(), to: holdout[holdout.length - 1].publishedAt.toISOString() },
      learned,
      formula,
      compared,
      decision,
    };
    await this.repo.saveModel(tenantId, VIRALITY_MODEL, version, day, params, evaluation);
    let now = inUse;
    if (decision.promote && (await this.repo.promote(tenantId, VIRALITY_MODEL, version, current?.version))) {
      now = version;
      this.cache.invalidate(tenantId);
    } else if (rival) {
      // NOTE: the prior approach won again: its fit on the newer rows (the one evaluated) replaces the older one.
      now = (await this.storePriorModel(tenantId, day, rival, current, `it ranks the hold-out better than ${version}, a model of the tenant's own`)).now;
    }
    this.log.info({ tenantId, day, version, promoted: now === version, reason: decision.reason, learned, formula }, 'virality: model trained');
    return modelVersions(now, version);
  }
}
