// A small world of virality examples with known effects (for the unit tests of the model and the shared prior).
import { gaussian, mulberry32 } from '../../src/learning/math/stats.js';
import { localTime } from '../../src/domain/time-zone.js';
import type { ViralityExample } from '../../src/learning/virality/virality-model.js';

export const PLATFORM_EFFECT: Record<string, number> = { tiktok: 0.5, instagram: 0, youtube: -0.3 };
const START_MS = Date.UTC(2026, 0, 1);

/** An example with its expected ln(1 + views) above the level (`signal`): the truth a ranking is compared with. */
export type PlantedExample = ViralityExample & { signal: number };

/**
 * Outcomes driven by known features (quality, CTA, duration near 25 s, platform, an evening peak) plus noise, over
 * 120 days; `level` is the tenant's audience size (ln views), `qualityEffect` the effect of quality 0 → 1.
 */
export function viralityWorld(seed: number, n: number, options: { withEarlyLoss?: boolean; level?: number; qualityEffect?: number } = {}): PlantedExample[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const publishedAt = new Date(START_MS + random() * 120 * 86_400_000);
    const { hour, weekday } = localTime(publishedAt, 'UTC');
    const platform = Object.keys(PLATFORM_EFFECT)[Math.floor(random() * 3)];
    const durationS = 5 + random() * 115;
    const qualityScore = random();
    const ctaInFirst5s = random() < 0.5;
    const first3sLoss = 0.2 + 0.5 * random();
    const signal =
      (options.qualityEffect ?? 1.2) * qualityScore +
      (ctaInFirst5s ? 0.4 : 0) -
      0.5 * Math.abs(Math.log(durationS / 25)) +
      PLATFORM_EFFECT[platform] +
      0.6 * Math.exp(-((hour - 18) ** 2) / 4) -
      (options.withEarlyLoss ? 2 * first3sLoss : 0);
    return {
      publishedAt,
      platform,
      durationS,
      qualityScore,
      aestheticScore: random(),
      captionLengthChars: Math.floor(random() * 300),
      ctaInFirst5s,
      hashtagCount: Math.floor(random() * 10),
      publishHour: hour,
      publishWeekday: weekday,
      ...(options.withEarlyLoss ? { first3sLoss } : {}),
      logViews: (options.level ?? 7) + signal + 0.7 * gaussian(random),
      engagementRate: 0.05 + (ctaInFirst5s ? 0.02 : 0) + 0.01 * gaussian(random),
      signal,
    };
  });
}
