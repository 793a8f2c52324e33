// PredictVirality: reads what the items need (live posts, contents, the tenant's promoted model or the cold-start
// formula's inputs and grids), then answers them with virality-answer.ts.
import { invalidArgument, notFound } from '../../errors.js';
import { isValidTimeZone } from '../../domain/time-zone.js';
import type { BestTimeResult } from '../timing/timing-grid.js';
import { answerItems, comparedPlatforms, gridKey, HOUR_MS, type PredictionInputs, type ViralityAnswer } from './virality-answer.js';
import type { ViralityCacheService } from './virality-cache.service.js';
import type { ViralityRepository } from './virality.repository.js';
import type { ContentRow, LivePostRow, ViralityItem } from './virality.types.js';

export class ViralityService {
  constructor(
    private readonly repo: ViralityRepository,
    private readonly cache: ViralityCacheService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The stored features of the items given by content id (live posts brought theirs); NOT_FOUND names the unknown ones. */
  private async contents(tenantId: string, items: readonly ViralityItem[], known: ReadonlyMap<number, LivePostRow>): Promise<Map<string, ContentRow>> {
    const contents = new Map<string, ContentRow>();
    for (const post of known.values()) if (post.content) contents.set(post.content.contentId, post.content);
    const ids = [...new Set(items.flatMap((i) => (i.contentId && !contents.has(i.contentId) ? [i.contentId] : [])))];
    for (const c of await this.repo.contentFeatures(tenantId, ids)) contents.set(c.contentId, c);
    const missing = items.filter((i) => i.contentId && !contents.has(i.contentId));
    if (missing.length) {
      const named = missing.slice(0, 5).map((i) => `"${i.contentId}" (items[${i.index}].content_id)`);
      throw notFound(
        `content ${named.join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} not found; register it with RegisterContent or send features`,
      );
    }
    return contents;
  }

  /**
   * Reads the live posts of the items (one query) and turns each into an item of the post's content, platform and
   * publish time. NOT_FOUND names unknown post ids; INVALID_ARGUMENT a horizon before the post's latest observation.
   */
  private async livePosts(tenantId: string, items: readonly ViralityItem[]): Promise<{ items: ViralityItem[]; posts: Map<number, LivePostRow> }> {
    const ids = [...new Set(items.flatMap((i) => (i.postId ? [i.postId] : [])))];
    const posts = new Map<number, LivePostRow>();
    if (!ids.length) return { items: [...items], posts };
    const rows = new Map((await this.repo.livePosts(tenantId, ids)).map((r) => [r.postId, r]));
    const missing = items.filter((i) => i.postId && !rows.has(i.postId));
    if (missing.length) {
      const named = missing.slice(0, 5).map((i) => `"${i.postId}" (items[${i.index}].post_id)`);
      throw notFound(`post ${named.join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} not found; register it with RegisterPost`);
    }
    const resolved = items.map((item) => {
      const post = item.postId ? rows.get(item.postId) : undefined;
      if (!post) return item;
      posts.set(item.index, post);
      if (post.observedAt) {
        const ageH = (post.observedAt.getTime() - post.publishedAt.getTime()) / HOUR_MS;
        if (item.horizonHours! < ageH) {
          const field = `items[${item.index}].horizon_hours`;
          throw invalidArgument(
            `${field} is ${item.horizonHours}, before the post's latest observation at ${ageH.toFixed(2)} hours; send at least that`,
            field,
          );
        }
      }
      const timeZone = item.timeZone || (isValidTimeZone(post.timeZone) ? post.timeZone : 'UTC');
      return { ...item, contentId: post.contentId, platform: post.platform, plannedAt: post.publishedAt, timeZone };
    });
    return { items: resolved, posts };
  }

  /** For the formula: the timing grid of each (platform, zone, day) the items are scored on, by {@link gridKey}. */
  private async formulaGrids(tenantId: string, items: readonly ViralityItem[], platforms: readonly string[], now: Date): Promise<Map<string, BestTimeResult>> {
    const wanted = new Map<string, { platform: string; timeZone: string; reference: Date }>();
    for (const item of items) {
      for (const platform of new Set([item.platform, ...platforms])) {
        const key = gridKey(item, platform, now);
        if (!wanted.has(key)) wanted.set(key, { platform, timeZone: item.timeZone, reference: new Date(Math.min(item.plannedAt.getTime(), now.getTime())) });
      }
    }
    // NOTE: one query for the posts of every grid not cached (was: one per platform × zone × day).
    const grids = await Promise.all(this.cache.timingGrids(tenantId, [...wanted.values()]));
    return new Map([...wanted.keys()].map((key, i) => [key, grids[i]!] as const));
  }

  /**
   * Scores each item on its platform at its planned time, and the same content on every platform of the tenant's
   * history (see answerItems): what the items need is read first, then every answer is computed without I/O.
   */
  async predict(tenantId: string, requested: readonly ViralityItem[], boostThreshold: number): Promise<ViralityAnswer[]> {
    return answerItems(await this.load(tenantId, requested), boostThreshold);
  }

  /** Live posts, stored contents, the promoted model (or the formula and its grids) and the forecaster the items need. */
  private async load(tenantId: string, requested: readonly ViralityItem[]): Promise<PredictionInputs> {
    const { items, posts } = await this.livePosts(tenantId, requested);
    const contents = await this.contents(tenantId, items, posts);
    const predictor = await this.cache.predictor(tenantId);
    const forecaster = posts.size ? await this.cache.forecaster(tenantId) : undefined;
    const platforms = comparedPlatforms(predictor);
    const now = this.now();
    const grids = predictor.kind === 'formula' ? await this.formulaGrids(tenantId, items, platforms, now) : undefined;
    return { items, posts, contents, predictor, forecaster, platforms, grids, now };
  }
}
