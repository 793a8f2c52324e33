// PredictVirality's suggested changes: applied, they raise the model's own prediction, and they point the planted way.
import { expect } from 'chai';
import { fitViralityModel } from '../../src/learning/virality/virality-fit.js';
import { ViralityModel } from '../../src/learning/virality/virality-model.js';
import { suggestChanges } from '../../src/learning/virality/suggestions.js';
import type { ViralityFeatures } from '../../src/learning/virality/virality.js';
import { viralityWorld } from '../helpers/virality-world.js';

const apply = (f: ViralityFeatures, lever: string, target: string): ViralityFeatures =>
  lever === 'posting_hour'
    ? { ...f, publishHour: Number(target) }
    : lever === 'posting_weekday'
      ? { ...f, publishWeekday: Number(target) }
      : lever === 'cta_in_first_5s'
        ? { ...f, ctaInFirst5s: target === 'true' }
        : lever === 'duration'
          ? { ...f, durationS: Number(target) }
          : { ...f, qualityScore: Number(target) };

describe('suggested changes for a planned post', () => {
  for (const seed of [3, 4]) {
    it(`raise the model's own prediction when applied and point the planted way (seed ${seed})`, () => {
      const model = new ViralityModel(fitViralityModel(viralityWorld(seed, 1500))!);
      // A weak plan: no call to action, posted at 06:00, a long video of middling quality.
      const plan: ViralityFeatures = {
        platform: 'tiktok',
        durationS: 110,
        qualityScore: 0.4,
        aestheticScore: 0.5,
        captionLengthChars: 100,
        ctaInFirst5s: false,
        hashtagCount: 3,
        publishHour: 6,
        publishWeekday: 3,
      };
      const base = model.predict(plan).predictedViews;
      const changes = suggestChanges(model, plan);
      expect(changes.length).to.be.within(1, 3);
      for (const change of changes) {
        const after = model.predict(apply(plan, change.lever, change.targetKey)).predictedViews;
        expect(after, change.text).to.be.greaterThan(base);
        expect(after / base - 1).to.be.closeTo(change.viewsLiftFraction, 0.01);
        expect(change.viewsLiftFractionP10).to.be.greaterThan(0);
        expect(change.viewsLiftFractionP90).to.be.greaterThan(change.viewsLiftFraction);
        expect(change.text).to.match(/: \+\d+ % views \(\+\d+ % to \+\d+ %\)\.$/);
      }
      const byLever = new Map(changes.map((c) => [c.lever, c]));
      // Planted: an evening peak at 18:00, a call to action +0.4, a duration near 25 s.
      if (byLever.has('posting_hour')) expect(Number(byLever.get('posting_hour')!.targetKey)).to.be.within(15, 21);
      if (byLever.has('cta_in_first_5s')) expect(byLever.get('cta_in_first_5s')!.targetKey).to.equal('true');
      if (byLever.has('duration')) expect(Number(byLever.get('duration')!.targetKey)).to.be.within(10, 60);
      expect(byLever.has('posting_hour') || byLever.has('cta_in_first_5s') || byLever.has('duration') || byLever.has('quality_score')).to.equal(true);
    });
  }
});
