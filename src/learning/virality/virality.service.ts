// PredictVirality: scores content with the tenant's promoted model, or the cold-start formula before there is one.
import { notFound } from '../../errors.js';
import { slotTimingValue } from '../best-time/best-time.js';
import type { ContentFeatureValues } from './content-features.js';
import { localTime } from '../best-time/time-zone.js';
import type { TenantPredictor, ViralityCache } from './virality-cache.js';
import { platformLabel as label, type FeatureContribution } from './virality-explanation.js';
import type { ViralityRepository } from './virality.repository.js';
import { PLATFORMS } from '../../domain/platform.js';
import type { ContentRow, ViralityItem } from './virality.types.js';
import { coldStartPredictor, type ViralityFeatures, type ViralityPrediction, type ViralityPredictor } from './virality.js';

/** The same content scored on one platform. */
export interface PlatformRecommendation {
  platform: string;
  predictedViews: number;
  score: number;
  text: string;
}

/** The answer for one item (mirrors the proto's ViralityPrediction). */
export interface ViralityAnswer extends ViralityPrediction {
  /** Learned model only: the prediction at the training means, and what each feature added to it. */
  baselineLogViews?: number;
  contributions?: FeatureContribution[];
  index: number;
  contentId: string;
  platformRecommendations: PlatformRecommendation[];
  boostRecommended: boolean;
  modelVersion: string;
}

const roundedViews = (views: number) => Math.round(views).toLocaleString('en-US');

/** One sentence per platform, best first. */
export function recommendationTexts(scored: readonly { platform: string; predictedViews: number; score: number }[]): PlatformRecommendation[] {
  const ordered = [...scored].sort((a, b) => b.score - a.score || a.platform.localeCompare(b.platform));
  const best = ordered[0];
  return ordered.map((r) => ({
    ...r,
    text:
      r === best
        ? `${label(r.platform)} is the best platform for this content: about ${roundedViews(r.predictedViews)} views (score ${r.score.toFixed(0)}).`
        : `${label(r.platform)}: about ${roundedViews(r.predictedViews)} views (score ${r.score.toFixed(0)}), ${(best.score - r.score).toFixed(0)} points below ${label(best.platform)}.`,
  }));
}

/** The platforms a content item is compared on: those of the tenant's history, or all when there is none yet. */
function comparedPlatforms(predictor: TenantPredictor): string[] {
  const known = predictor.kind === 'learned' ? predictor.model.params.layout.platforms : Object.keys(predictor.outcomes.engagementRateByPlatform);
  return known.length ? [...known].sort() : [...PLATFORMS];
}

function featuresOf(item: ViralityItem, content: ContentRow | undefined, platform: string): ViralityFeatures {
  const source: ContentFeatureValues = content ?? item.features!;
  const { hour, weekday } = localTime(item.plannedAt, item.timeZone);
  const first3sLoss = content?.first3sLossByPlatform?.[platform];
  return {
    durationS: source.durationS,
    qualityScore: source.qualityScore,
    aestheticScore: source.aestheticScore,
    captionLengthChars: source.captionLengthChars,
    ctaInFirst5s: source.ctaInFirst5s,
    hashtagCount: source.hashtagCount,
    platform,
    publishHour: hour,
    publishWeekday: weekday,
    publishedAt: item.plannedAt,
    ...(typeof first3sLoss === 'number' ? { first3sLoss } : {}),
  };
}

export class ViralityService {
  constructor(
    private readonly repo: ViralityRepository,
    private readonly cache: ViralityCache,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Reads the stored features of the items given by content id; NOT_FOUND names the unknown ones. */
  private async contents(tenantId: string, items: readonly ViralityItem[]): Promise<Map<string, ContentRow>> {
    const ids = [...new Set(items.flatMap((i) => (i.contentId ? [i.contentId] : [])))];
    const contents = new Map((await this.repo.contentFeatures(tenantId, ids)).map((c) => [c.contentId, c]));
    const missing = items.filter((i) => i.contentId && !contents.has(i.contentId));
    if (missing.length) {
      const named = missing.slice(0, 5).map((i) => `"${i.contentId}" (items[${i.index}].content_id)`);
      throw notFound(
        `content ${named.join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} not found; register it with RegisterContent or send features`,
      );
    }
    return contents;
  }

  /** For the formula: a predictor per item whose timing value comes from its platform's grid in its zone. */
  private async formulaPredictors(
    tenantId: string,
    predictor: TenantPredictor & { kind: 'formula' },
    items: readonly ViralityItem[],
    platforms: readonly string[],
  ) {
    const now = this.now();
    const wanted = new Map<string, { platform: string; timeZone: string; reference: Date }>();
    const gridKey = (item: ViralityItem, platform: string) => `${platform}\u0000${item.timeZone}\u0000${Math.min(item.plannedAt.getTime(), now.getTime())}`;
    for (const item of items) {
      for (const platform of new Set([item.platform, ...platforms])) {
        const key = gridKey(item, platform);
        if (!wanted.has(key)) wanted.set(key, { platform, timeZone: item.timeZone, reference: new Date(Math.min(item.plannedAt.getTime(), now.getTime())) });
      }
    }
    // NOTE: one query for the posts of every grid not cached (was: one per platform × zone × day).
    const grids = await Promise.all(this.cache.timingGrids(tenantId, [...wanted.values()]));
    const loaded = new Map([...wanted.keys()].map((key, i) => [key, grids[i]!] as const));
    const { outcomes } = predictor;
    const views = { p10: outcomes.viewsP10, median: outcomes.viewsMedian, p90: outcomes.viewsP90 };
    return (item: ViralityItem): ViralityPredictor =>
      coldStartPredictor({
        views,
        engagementRateByPlatform: outcomes.engagementRateByPlatform,
        timingValue: (f) => slotTimingValue(loaded.get(gridKey(item, f.platform))!, f.publishWeekday, f.publishHour),
      });
  }

  /**
   * Scores each item on its platform at its planned time, and the same content on every platform of the tenant's
   * history. Score = predicted percentile within the tenant's history (learned) or the formula (cold start);
   * boost_recommended when the score reaches `boostThreshold`.
   */
  async predict(tenantId: string, items: readonly ViralityItem[], boostThreshold: number): Promise<ViralityAnswer[]> {
    const contents = await this.contents(tenantId, items);
    const predictor = await this.cache.predictor(tenantId);
    const platforms = comparedPlatforms(predictor);
    const predictorOf = predictor.kind === 'learned' ? () => predictor.model : await this.formulaPredictors(tenantId, predictor, items, platforms);
    return items.map((item) => {
      const content = item.contentId ? contents.get(item.contentId) : undefined;
      const scorer = predictorOf(item);
      const prediction = scorer.predict(featuresOf(item, content, item.platform), { explain: true });
      const scored = [...new Set([item.platform, ...platforms])].map((platform) => {
        const p = platform === item.platform ? prediction : scorer.predict(featuresOf(item, content, platform));
        return { platform, predictedViews: p.predictedViews, score: p.score };
      });
      return {
        ...prediction,
        index: item.index,
        contentId: item.contentId ?? '',
        platformRecommendations: recommendationTexts(scored),
        boostRecommended: prediction.score >= boostThreshold,
        modelVersion: predictor.version,
      };
    });
  }
}
