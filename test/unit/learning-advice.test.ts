// Advice from the outcome models on planted worlds: planted levers advised with the right target on most days, no
// advice on features without effect, never two targets for one lever and platform.
import { expect } from 'chai';
import { advise } from '../../src/learning/advice/advice.js';
import type { Recommendation } from '../../src/learning/advice/advice.types.js';
import { CONTENT_LEVERS } from '../../src/learning/advice/levers.js';
import { validateAdviceSettings } from '../../src/learning/advice/advice.validate.js';
import { adviceSection } from '../../src/report/advice-section.js';
import { fieldOf } from '../helpers/app-errors.js';
import { fitOutcomeModels } from '../../src/learning/advice/outcome-models.js';
import { ADVICE_PEAK_HOUR, ADVICE_PLATFORMS, adviceWorld, upToDay } from '../helpers/advice-world.js';

/** The advice of the learning runs of `days` (the window: every post up to the day), per day. */
function adviceOnDays(seed: number, days: readonly number[], options: Parameters<typeof adviceWorld>[2] = {}): Recommendation[][] {
  const world = adviceWorld(seed, days[days.length - 1] + 1, options);
  return days.map((day) => {
    const window = upToDay(world, day);
    return advise(fitOutcomeModels(window), window);
  });
}

/** One advice per lever and platform, and per kind and platform (each lever has its own kind). */
function expectOneTargetPerLever(advice: readonly Recommendation[]) {
  for (const key of [(r: Recommendation) => `${r.lever}/${r.platform ?? 'all'}`, (r: Recommendation) => `${r.kind}/${r.platform ?? 'all'}`]) {
    const keys = advice.map(key);
    expect(new Set(keys).size, keys.join(', ')).to.equal(keys.length);
  }
}

/** Hours between two hours of the day, around the clock. */
const hoursApart = (a: number, b: number) => Math.min((a - b + 24) % 24, (b - a + 24) % 24);
const bandStart = (r: Recommendation) => Number(r.targetKey!.split('-')[0]);
/** The advised 3-hour band holds the planted peak hour. */
const containsPeak = (r: Recommendation) => [0, 1, 2].some((k) => (bandStart(r) + k) % 24 === ADVICE_PEAK_HOUR[r.platform!]);
/** The advised band's middle is within 2 hours of the planted peak. */
const nearPeak = (r: Recommendation) => hoursApart(bandStart(r) + 1, ADVICE_PEAK_HOUR[r.platform!]) <= 2;

// From day 7 the window holds ≥ 200 posts (the models' minimum data).
const DAYS = [7, 13, 19, 25];

describe('advice from the outcome models (planted worlds)', function () {
  this.timeout(120_000);
  // Two worlds with a habitual posting band away from the peaks, one posting at all hours alike.
  const planted = [adviceOnDays(101, DAYS), adviceOnDays(202, DAYS), adviceOnDays(303, DAYS, { habitShare: 0 })];

  it('advises the planted levers with the right target on most days', () => {
    const days = planted.flat();
    const share = (pass: (day: Recommendation[]) => boolean) => days.filter(pass).length / days.length;
    expect(share((d) => d.some((r) => r.lever === 'cta_in_first_5s' && r.targetKey === 'true'))).to.be.at.least(0.8);
    expect(share((d) => d.some((r) => r.lever === 'quality_score' && Number(r.targetKey) >= 0.8))).to.be.at.least(0.8);
    for (const platform of ADVICE_PLATFORMS) {
      const sweetSpot = (d: Recommendation[]) =>
        d.some((r) => r.lever === 'duration' && r.platform === platform && Number(r.targetKey) >= 15 && Number(r.targetKey) <= 40);
      expect(share(sweetSpot), `duration on ${platform}`).to.be.at.least(0.8);
      const peak = (d: Recommendation[]) => d.some((r) => r.lever === 'posting_hour' && r.platform === platform && containsPeak(r));
      expect(share(peak), `peak hour on ${platform}`).to.be.at.least(0.5);
    }
    // Whatever is advised points the planted way: a call to action never left out, quality never lowered.
    for (const r of days.flat()) {
      if (r.lever === 'cta_in_first_5s') expect(r.targetKey).to.equal('true');
      if (r.lever === 'quality_score') expect(Number(r.targetKey)).to.be.greaterThan(Number(r.currentKey));
      if (r.lever === 'posting_hour') expect(nearPeak(r), r.text).to.equal(true);
    }
  });

  it('states the trade-off of shorter videos (more completion) inside the duration advice, with intervals', () => {
    const durations = planted.flat(2).filter((r) => r.lever === 'duration');
    expect(durations.length).to.be.greaterThan(0);
    for (const r of durations) {
      const completion = r.effects!.find((e) => e.outcome === 'completion_rate')!;
      expect(completion.liftFraction, r.text).to.be.greaterThan(0);
      expect(completion.liftFractionP10).to.be.at.most(completion.liftFraction);
      expect(completion.liftFractionP90).to.be.at.least(completion.liftFraction);
      expect(r.text).to.match(/completion \+\d+ %/);
      expect(r.text).to.match(/^On \w+, make videos of about \d+ s instead of about \d+ s: \+\d+ % views \(\+\d+ % to \+\d+ %\)/);
    }
  });

  it('states fewer completions when the views sweet spot is a longer video', () => {
    const advice = adviceOnDays(404, [19], { sweetSpotS: 120 }).flat();
    const longer = advice.filter((r) => r.lever === 'duration' && Number(r.targetKey) > Number(r.currentKey));
    expect(longer.length).to.be.greaterThan(0);
    for (const r of longer) {
      expect(r.effects!.find((e) => e.outcome === 'completion_rate')!.liftFraction).to.be.lessThan(0);
      expect(r.text).to.match(/completion −\d+ %/);
    }
  });

  it('advises features with no planted effect (hashtags, captions, aesthetics) on at most 5 % of days', () => {
    const days = planted.flat();
    const unplanted = days.filter((d) => d.some((r) => ['hashtag_count', 'caption_length', 'aesthetic_score'].includes(r.lever!)));
    expect(unplanted.length / days.length).to.be.at.most(0.05);
  });

  it('advises a better hook (fewer viewers lost in the first 3 s) when early losses cost views', () => {
    const days = [505, 606].flatMap((seed) => adviceOnDays(seed, [10, 20], { hookEffect: -2 }));
    const hooks = days.map((d) => d.find((r) => r.lever === 'hook'));
    expect(hooks.filter(Boolean).length).to.be.at.least(3);
    for (const hook of hooks.filter((h) => h !== undefined)) {
      expect(Number(hook.targetKey)).to.be.lessThan(Number(hook.currentKey));
      expect(hook.kind).to.equal('hook');
      expect(hook.text).to.match(/^Open with the payoff: aim to lose \d+ % of viewers in the first 3 s instead of \d+ %: \+\d+ % views/);
    }
  });

  it('gives no content advice on a world without planted effects', () => {
    const days = [11, 22, 33].flatMap((seed) => adviceOnDays(seed, [7, 22], { planted: false }));
    const withContentAdvice = days.filter((d) => d.some((r) => CONTENT_LEVERS.includes(r.lever!)));
    expect(withContentAdvice.length / days.length).to.be.at.most(0.05);
  });

  it('never gives two advices for one lever and platform, and words them without statistics', () => {
    for (const day of planted.flat()) {
      expectOneTargetPerLever(day);
      for (const r of day) {
        expect(r.text).to.not.match(/log|d =|geometric|p =/);
        expect(r.effects![0].outcome).to.equal('views');
        expect(r.postsBehind).to.be.greaterThan(200);
      }
    }
  });
});

describe('advice settings and wording', () => {
  it('validates the advice settings of SetLearningSettings, naming the field', () => {
    expect(validateAdviceSettings({})).to.equal(undefined);
    expect(validateAdviceSettings({ adviceMinLiftFraction: 0.2, advicePrimaryOutcome: 'engagement_rate' })).to.deep.equal({
      minLiftFraction: 0.2,
      primaryOutcome: 'engagement_rate',
    });
    expect(fieldOf(() => validateAdviceSettings({ adviceMinLiftFraction: Number.NaN }))).to.equal('advice_min_lift_fraction');
    expect(fieldOf(() => validateAdviceSettings({ adviceMinLiftFraction: 11 }))).to.equal('advice_min_lift_fraction');
    expect(fieldOf(() => validateAdviceSettings({ advicePrimaryOutcome: 'log_views' }))).to.equal('advice_primary_outcome');
  });

  it('renders advice in plain words first, the statistics only behind the toggle', () => {
    const window = upToDay(adviceWorld(707, 20), 19);
    const advice = advise(fitOutcomeModels(window), window, { modelVersion: 'o-test' });
    expect(advice.length).to.be.greaterThan(0);
    const html = adviceSection(advice);
    const outside = html.replace(/<details>[\s\S]*?<\/details>/g, '');
    expect(outside).to.match(/What to change/);
    expect(outside).to.match(/Fairly sure|Less sure/);
    expect(outside).to.not.match(/log|d =|geometric mean|ridge|p =/i);
    expect(html).to.match(/<details><summary>Statistics<\/summary>[\s\S]*ln\(1 \+ views\)/);
    expect(adviceSection([])).to.match(/No change is backed strongly enough/);
  });
});
