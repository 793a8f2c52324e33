// Best time read from the learned model: planted best hour and weekday per platform in the top slot, intervals that
// cover the planted effects, and a confidence near 1 with a real effect but not without one.
import { expect } from 'chai';
import { modelTiming } from '../../src/learning/best-time/model-best-time.js';
import { localTime } from '../../src/domain/time-zone.js';
import { gaussian, mulberry32 } from '../../src/learning/math/stats.js';
import { fitViralityModel } from '../../src/learning/virality/virality-fit.js';
import type { ViralityExample } from '../../src/learning/virality/virality-model.js';

const PEAK: Record<string, { hour: number; weekday: number }> = { tiktok: { hour: 20, weekday: 5 }, instagram: { hour: 9, weekday: 2 } };

/** Outcomes of quality plus, when planted, a smooth peak hour (0.8) and a best weekday (+0.4) per platform. */
function world(seed: number, planted: boolean): ViralityExample[] {
  const random = mulberry32(seed);
  return Array.from({ length: 1500 }, (_, i) => {
    const publishedAt = new Date(Date.UTC(2026, 0, 1) + random() * 60 * 86_400_000);
    const { hour, weekday } = localTime(publishedAt, 'UTC');
    const platform = i % 2 ? 'tiktok' : 'instagram';
    const d = Math.min(Math.abs(hour - PEAK[platform].hour), 24 - Math.abs(hour - PEAK[platform].hour));
    const qualityScore = random();
    const timing = planted ? 0.8 * Math.exp(-(d * d) / 12.5) + (weekday === PEAK[platform].weekday ? 0.4 : 0) : 0;
    return {
      publishedAt,
      platform,
      durationS: 30,
      qualityScore,
      aestheticScore: 0.5,
      captionLengthChars: 80,
      ctaInFirst5s: false,
      hashtagCount: 3,
      publishHour: hour,
      publishWeekday: weekday,
      logViews: 7 + qualityScore + timing + 0.5 * gaussian(random),
    };
  });
}

describe('learning best time from the model', () => {
  for (const seed of [1, 2, 3]) {
    it(`finds the planted best weekday and hour per platform, confidently (seed ${seed})`, () => {
      const params = fitViralityModel(world(seed, true))!;
      for (const platform of Object.keys(PEAK)) {
        const timing = modelTiming(params, platform, params.logViews)!;
        const top = timing.topSlots[0];
        expect(top.weekday, platform).to.equal(PEAK[platform].weekday);
        expect(Math.abs(top.hour - PEAK[platform].hour), platform).to.be.at.most(1);
        expect(timing.topWeekdays[0]).to.equal(PEAK[platform].weekday);
        expect(timing.confidence).to.be.greaterThan(0.99);
        // The planted weekday effect relative to the average weekday: 0.4 − 0.4 / 7.
        const best = timing.weekdayEffects[PEAK[platform].weekday - 1];
        expect(best.effectP10).to.be.lessThan(best.effect);
        expect(best.effect).to.be.closeTo(0.4 - 0.4 / 7, 0.15);
      }
      expect(modelTiming(params, 'youtube', params.logViews)).to.equal(undefined);
    });

    it(`is far less confident without any timing effect (seed ${seed})`, () => {
      const params = fitViralityModel(world(seed, false))!;
      for (const platform of Object.keys(PEAK)) {
        const timing = modelTiming(params, platform, params.logViews)!;
        expect(timing.confidence, platform).to.be.lessThan(0.8);
        expect(Math.max(...timing.hourEffects.map((e) => Math.abs(e.effect)))).to.be.lessThan(0.1);
      }
    });
  }
});
