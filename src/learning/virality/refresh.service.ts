// Models that follow the stream: between daily runs, the promoted virality model is refitted with its daily
// penalties on the outcomes observed since its watermark, folded into the fit's sufficient statistics (cost bounded
// by the posts observed since, not the history). Each refresh is a new promoted version named with its watermark.
import { dayBounds } from '../../domain/days.js';
import type { Logger } from '../../log.js';
import { fromStored, OutcomeFolder, toStored } from './refresh-stats.js';
import type { RefreshRepository, RefreshState } from './refresh.repository.js';
import { isLoadableParams, VIRALITY_MODEL, type ViralityCacheService } from './virality-cache.service.js';
import { trainingExamples } from './virality-training.service.js';
import type { ViralityRepository } from './virality.repository.js';

/** Publications far in the future: the base statistics read every post published since the model's first. */
const END_OF_TIME = new Date('9999-01-01T00:00:00Z');

/** What one refresh did. */
export interface RefreshResult {
  version: string;
  trainedThrough: Date;
  /** Posts whose outcome was added or updated by this refresh. */
  outcomes: number;
  /** Posts counted in the refreshed fit (each once). */
  counted: number;
}

/** `v20210301-abcd1234+r20210309T120000Z`: the daily version and the watermark of the refresh. */
export const refreshedVersion = (baseVersion: string, watermark: Date) =>
  `${baseVersion}+r${watermark
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(/[-:]/g, '')}`;

export class ModelRefresher {
  constructor(
    private readonly refreshes: RefreshRepository,
    private readonly virality: ViralityRepository,
    private readonly cache: ViralityCacheService,
    private readonly log: Logger,
  ) {}

  /**
   * Folds the outcomes observed before `now` and since the watermark into the tenant's promoted own model and
   * promotes the refitted version. Undefined when there is nothing to refresh (no own model, a model fitted toward
   * the shared prior — the prior is left to the daily run — no new outcome) or another replica committed first.
   */
  async refresh(tenantId: string, now = new Date()): Promise<RefreshResult | undefined> {
    const promoted = await this.virality.promotedModel(tenantId, VIRALITY_MODEL);
    if (!promoted || !isLoadableParams(promoted.params) || promoted.params.prior) return undefined;
    const params = promoted.params;
    const baseVersion = params.refresh?.baseVersion ?? promoted.version;
    const folder = new OutcomeFolder(params);
    let state = await this.refreshes.state(tenantId, VIRALITY_MODEL);
    const expected = state?.baseVersion === baseVersion ? { baseVersion, watermark: state.watermark } : undefined;
    if (!expected) {
      // A daily model not refreshed yet: its statistics over every post since its first training publication,
      // with the latest views before the end of its day (once per daily model; then only new outcomes).
      if (params.refresh) return undefined;
      const baseWatermark = dayBounds(promoted.trainedOnDay).end;
      const sums = folder.empty();
      for (const example of trainingExamples(await this.virality.trainingRows(tenantId, new Date(params.trainedFrom), END_OF_TIME, baseWatermark))) {
        folder.fold(sums, example, example.logViews, 1);
      }
      state = { baseVersion, baseWatermark, watermark: baseWatermark, refreshes: 0, stats: toStored(sums) };
    }
    const base: RefreshState = state!;
    const changed = await this.refreshes.changedOutcomes(tenantId, VIRALITY_MODEL, new Date(params.trainedFrom), base.watermark, now, base.baseWatermark);
    if (!changed.length && expected) return undefined;
    const sums = fromStored(base.stats);
    const examples = trainingExamples(changed);
    const outcomes = changed.map((row, i) => {
      // NOTE: a post counted before is removed with the value it was counted with: each post counts once.
      if (row.countedLogViews !== null) folder.fold(sums, examples[i], row.countedLogViews, -1);
      folder.fold(sums, examples[i], examples[i].logViews, 1);
      return { postId: row.postId, logViews: examples[i].logViews };
    });
    const version = refreshedVersion(baseVersion, now);
    const refreshed = folder.refit(sums, { baseVersion, trainedThrough: now.toISOString(), outcomes: sums.rows });
    const committed = await this.refreshes.commit(tenantId, {
      modelName: VIRALITY_MODEL,
      expected,
      state: { ...base, watermark: now, refreshes: base.refreshes + 1, stats: toStored(sums) },
      outcomes,
      version,
      trainedOnDay: promoted.trainedOnDay,
      params: refreshed,
      replaces: promoted.version,
    });
    if (!committed) return undefined;
    this.cache.invalidate(tenantId);
    this.log.info({ tenantId, version, outcomes: outcomes.length, counted: sums.rows }, 'virality: model refreshed');
    return { version, trainedThrough: now, outcomes: outcomes.length, counted: sums.rows };
  }

  /** Refreshes every tenant in turn; a tenant's failure is logged and does not stop the others. */
  async refreshAll(tenantIds: readonly string[]): Promise<number> {
    let refreshed = 0;
    for (const tenantId of tenantIds) {
      try {
        if (await this.refresh(tenantId)) refreshed++;
      } catch (err) {
        this.log.error({ err, tenantId }, 'virality: refresh failed; retried at the next interval');
      }
    }
    return refreshed;
  }
}
