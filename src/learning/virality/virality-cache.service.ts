// Per-tenant state behind a fast PredictVirality: the promoted model (or the formula's inputs) and timing grids.
import { DAY_MS } from '../../domain/days.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { bestTimeOfRows, type BestTimeResult } from '../timing/timing-grid.js';
import { ViralityModel, type ViralityModelParams } from './virality-model.js';
import type { ViralityRepository } from './virality.repository.js';
import type { TenantPredictor } from './virality.types.js';
import { isForecastParams, type ForecastParams } from './forecast.js';
import { postsByPlatform, viewsInWindow, type PostViews } from '../timing/timing-windows.js';
import { extent } from '../../domain/numbers.js';

/** Name of the virality model in learned_models. */
export const VIRALITY_MODEL = 'virality';
/** Name of the live-post forecast model in learned_models. */
export const FORECAST_MODEL = 'views_forecast';
/** model_version of cold-start predictions. */
export const FORMULA_VERSION = 'formula';
/** Days of posts behind the timing value of a cold-start prediction. */
export const TIMING_LOOKBACK_DAYS = 60;

export interface ViralityCacheOptions {
  /** How long a tenant's predictor is reused; bounds how late another replica sees a promotion. Default 60 s. */
  predictorTtlMs?: number;
  /** How long a timing grid is reused. Default 10 min. */
  gridTtlMs?: number;
  /** Most timing grids kept (oldest dropped first). Default 2000. */
  maxGrids?: number;
  /** Most tenants' predictors kept (oldest dropped first). Default 1000. */
  maxPredictors?: number;
  now?: () => Date;
}

interface Entry<T> {
  expiresAt: number;
  value: Promise<T>;
}

/** Whether stored params are a model this code can load. */
export function isLoadableParams(params: unknown): params is ViralityModelParams {
  const p = params as Partial<ViralityModelParams> | null;
  return Boolean(p && p.kind === 'ridge' && p.formatVersion === 2 && Array.isArray(p.columns) && Array.isArray(p.historyLogViewsQuantiles));
}

/**
 * Caches per tenant what a prediction needs, so a prediction runs no SQL when warm. Promises are cached, so
 * concurrent first calls share one load; a failed load is forgotten. `invalidate` is called on promotion; other
 * replicas see a promotion within the predictor TTL.
 */
export class ViralityCacheService {
  private readonly predictors = new Map<string, Entry<TenantPredictor>>();
  private readonly grids = new Map<string, Entry<BestTimeResult>>();
  private readonly forecasters = new Map<string, Entry<{ version: string; params: ForecastParams } | undefined>>();
  private readonly now: () => Date;

  constructor(
    private readonly repo: ViralityRepository,
    private readonly options: ViralityCacheOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  private remember<T>(map: Map<string, Entry<T>>, key: string, ttlMs: number, maxEntries: number, load: () => Promise<T>): Promise<T> {
    const nowMs = this.now().getTime();
    const cached = map.get(key);
    if (cached && cached.expiresAt > nowMs) return cached.value;
    const value = load();
    map.delete(key);
    map.set(key, { expiresAt: nowMs + ttlMs, value });
    value.catch(() => map.get(key)?.value === value && map.delete(key));
    while (map.size > maxEntries) map.delete(map.keys().next().value!);
    return value;
  }

  /** The promoted model of the tenant, or the formula with the tenant's outcomes. */
  predictor(tenantId: string): Promise<TenantPredictor> {
    return this.remember(this.predictors, tenantId, this.options.predictorTtlMs ?? 60_000, this.options.maxPredictors ?? 1000, async () => {
      const row = await this.repo.promotedModel(tenantId, VIRALITY_MODEL);
      if (row && isLoadableParams(row.params)) return { kind: 'learned', version: row.version, model: new ViralityModel(row.params) };
      return { kind: 'formula', version: FORMULA_VERSION, outcomes: await this.repo.tenantOutcomes(tenantId) };
    });
  }

  /** The promoted live-post forecast model of the tenant, or undefined before the first one. */
  forecaster(tenantId: string): Promise<{ version: string; params: ForecastParams } | undefined> {
    return this.remember(this.forecasters, tenantId, this.options.predictorTtlMs ?? 60_000, this.options.maxPredictors ?? 1000, async () => {
      const row = await this.repo.promotedModel(tenantId, FORECAST_MODEL);
      return row && isForecastParams(row.params) ? { version: row.version, params: row.params } : undefined;
    });
  }

  /**
   * The views grid of a platform in a zone over the 60 days before the UTC midnight at or before `reference`
   * (whole days, so one grid serves every prediction of a day). No held-out confidence: only the cells are used.
   */
  timingGrid(tenantId: string, platform: string, timeZone: string, reference: Date): Promise<BestTimeResult> {
    return this.timingGrids(tenantId, [{ platform, timeZone, reference }])[0]!;
  }

  /**
   * The {@link timingGrid}s of many (platform, zone, day) at once: the posts of those not cached are read in one
   * query for all of them, and each grid is then built in an event-loop turn of its own, so that other callers are
   * served between them.
   */
  timingGrids(tenantId: string, wanted: readonly { platform: string; timeZone: string; reference: Date }[]): Promise<BestTimeResult>[] {
    const grids = wanted.map(({ platform, timeZone, reference }) => {
      const to = new Date(Math.floor(reference.getTime() / DAY_MS) * DAY_MS);
      const from = new Date(to.getTime() - TIMING_LOOKBACK_DAYS * DAY_MS);
      return {
        platform,
        timeZone,
        from,
        to,
        key: `${tenantId}\u0000${platform}\u0000${timeZone}\u0000${to.getTime()}`,
      };
    });
    const nowMs = this.now().getTime();
    const missing = grids.filter((grid) => !((this.grids.get(grid.key)?.expiresAt ?? 0) > nowMs));
    let read: Promise<Map<string, PostViews[]>> | undefined;
    const rowsOf = async (grid: (typeof grids)[number]) => {
      // NOTE: `missing` is empty only when a grid cached a moment ago expired in between; then it is read alone.
      const span = missing.length ? missing : [grid];
      read ??= this.repo
        .viewsObservations(
          tenantId,
          [...new Set(span.map((g) => g.platform))],
          new Date(extent(span.map((g) => g.from.getTime())).min),
          new Date(extent(span.map((g) => g.to.getTime())).max),
        )
        .then(postsByPlatform);
      return viewsInWindow((await read).get(grid.platform) ?? [], grid.from, grid.to);
    };
    return grids.map((grid) =>
      this.remember(this.grids, grid.key, this.options.gridTtlMs ?? 600_000, this.options.maxGrids ?? 2000, async () => {
        const rows = await rowsOf(grid);
        await yieldToEventLoop();
        return bestTimeOfRows(rows, { timeZone: grid.timeZone, metric: 'views' }, { minSampleSize: Number.POSITIVE_INFINITY });
      }),
    );
  }

  /** Forgets the tenant's predictor (a new version was promoted). */
  invalidate(tenantId: string): void {
    this.predictors.delete(tenantId);
    this.forecasters.delete(tenantId);
  }
}
