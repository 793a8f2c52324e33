// Worlds of outcome examples with planted levers (or none), for the tests of advice from the outcome models.
import { gaussian, mulberry32 } from '../../src/learning/math/stats.js';
import { localTime } from '../../src/domain/time-zone.js';
import type { OutcomeExample } from '../../src/learning/advice/outcome-models.js';

export const ADVICE_PLATFORMS = ['instagram', 'tiktok', 'youtube'];
/** The planted peak local hour of each platform. */
export const ADVICE_PEAK_HOUR: Record<string, number> = { tiktok: 20, instagram: 12, youtube: 17 };

export interface AdviceWorldOptions {
  /** false: no lever has any effect on any outcome (only noise and platform levels). Default true. */
  planted?: boolean;
  /** The duration views peak at (s). Default 25. */
  sweetSpotS?: number;
  /** Share of posts published in the habitual band 06:00–09:00 UTC (the rest at uniform hours). Default 0.4. */
  habitShare?: number;
  /** Planted effect on ln(1 + views) per unit of first-3-s loss (a hook that loses viewers), e.g. −2. Default 0. */
  hookEffect?: number;
  /** Posts a day. Default 30. */
  postsPerDay?: number;
}

const START_MS = Date.UTC(2026, 2, 2);

const hourEffect = (platform: string, hour: number) => {
  const d = Math.min(Math.abs(hour - ADVICE_PEAK_HOUR[platform]), 24 - Math.abs(hour - ADVICE_PEAK_HOUR[platform]));
  return 0.8 * Math.exp(-(d * d) / (2 * 2.5 * 2.5));
};

/**
 * `days` days of posts (a share at a habitual morning band, the rest at uniform hours): ln(1 + views) gains 1.2 × quality, 0.5 with a call to action, a
 * platform's peak-hour bump, and loses 0.6 · ln(duration / sweet spot)²; shorter videos complete more (completion
 * falls by 0.1 per doubling of the duration); a call to action adds 0.02 engagement. Hashtags, captions and
 * aesthetics do nothing. Unplanted: only platform levels and noise.
 */
export function adviceWorld(seed: number, days: number, options: AdviceWorldOptions = {}): OutcomeExample[] {
  const random = mulberry32(seed);
  const planted = options.planted ?? true;
  const sweetSpot = options.sweetSpotS ?? 25;
  const examples: OutcomeExample[] = [];
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < (options.postsPerDay ?? 30); i++) {
      // NOTE: teams post at habitual hours: the typical band is the habit, away from every platform's peak.
      const secondOfDay = random() < (options.habitShare ?? 0.4) ? 6 * 3600 + Math.floor(random() * 3 * 3600) : Math.floor(random() * 86_400);
      const publishedAt = new Date(START_MS + d * 86_400_000 + secondOfDay * 1000);
      const { hour, weekday } = localTime(publishedAt, 'UTC');
      const platform = ADVICE_PLATFORMS[Math.floor(random() * ADVICE_PLATFORMS.length)];
      const durationS = 6 + Math.floor(random() * 115);
      const qualityScore = Math.round(random() * 100) / 100;
      const ctaInFirst5s = random() < 0.4;
      const level = 7 + ({ tiktok: 0.3, instagram: 0, youtube: -0.2 } as Record<string, number>)[platform];
      const effect = planted ? 1.2 * qualityScore + (ctaInFirst5s ? 0.5 : 0) - 0.6 * Math.log(durationS / sweetSpot) ** 2 + hourEffect(platform, hour) : 0;
      const first3sLoss = options.hookEffect ? 0.1 + 0.6 * random() : Math.min(0.95, Math.max(0, 0.3 + 0.05 * gaussian(random)));
      const completion = planted ? 0.55 - 0.1 * Math.log2(durationS / 10) : 0.35;
      examples.push({
        publishedAt,
        platform,
        durationS,
        qualityScore,
        aestheticScore: Math.round(random() * 100) / 100,
        captionLengthChars: Math.floor(random() * 200),
        ctaInFirst5s,
        hashtagCount: Math.floor(random() * 10),
        publishHour: hour,
        publishWeekday: weekday,
        first3sLoss,
        logViews: level + effect + (options.hookEffect ?? 0) * first3sLoss + 0.5 * gaussian(random),
        completionRate: Math.min(1, Math.max(0, completion + 0.05 * gaussian(random))),
        engagementRate: Math.max(0, 0.05 + (planted && ctaInFirst5s ? 0.02 : 0) + 0.01 * gaussian(random)),
      });
    }
  }
  return examples;
}

/** The examples published before the end of day `day` (0-based): the window of that day's learning run. */
export const upToDay = (examples: readonly OutcomeExample[], day: number) =>
  examples.filter((e) => e.publishedAt.getTime() < START_MS + (day + 1) * 86_400_000);
