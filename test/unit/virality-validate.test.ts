// Validation of PredictVirality and GetBestTimeToPost requests, and the per-platform recommendation sentences.
import { expect } from 'chai';
import { AppError } from '../../src/errors.js';
import { recommendationTexts } from '../../src/learning/virality/virality-answer.js';
import { validateBestTime } from '../../src/learning/best-time/best-time.validate.js';
import { validatePredictVirality, type ViralityItemRequest } from '../../src/learning/virality/virality.validate.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const FEATURES = { qualityScore: 0.5, aestheticScore: 0.5, captionLengthChars: 10, ctaInFirst5s: false, hashtagCount: 1 };
const item = (overrides: Partial<ViralityItemRequest> = {}): ViralityItemRequest => ({
  contentId: '',
  features: FEATURES,
  durationS: 20,
  platform: 'tiktok',
  timeZone: '',
  ...overrides,
});

function invalid(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(AppError);
    expect((err as AppError).kind).to.equal('invalid_argument');
    expect((err as AppError).message).to.match(pattern);
    return;
  }
  expect.fail(`expected INVALID_ARGUMENT matching ${pattern}`);
}

describe('virality validation', () => {
  it('accepts content ids and features, defaulting the zone to UTC and the time to now', () => {
    const [byId, byFeatures] = validatePredictVirality(
      [item({ contentId: 'c1', features: undefined, durationS: 0 }), item({ timeZone: 'Europe/Madrid' })],
      NOW,
    );
    expect(byId).to.deep.equal({ index: 0, contentId: 'c1', platform: 'tiktok', plannedAt: NOW, timeZone: 'UTC' });
    expect(byFeatures.features).to.deep.equal({ ...FEATURES, durationS: 20 });
    expect(byFeatures.timeZone).to.equal('Europe/Madrid');
  });

  it('names the item and field at fault', () => {
    invalid(() => validatePredictVirality([], NOW), /items is empty/);
    invalid(
      () =>
        validatePredictVirality(
          Array.from({ length: 1001 }, () => item()),
          NOW,
        ),
      /1001 entries; at most 1000/,
    );
    invalid(() => validatePredictVirality([item(), item({ platform: 0 })], NOW), /items\[1\]\.platform is required/);
    invalid(() => validatePredictVirality([item({ platform: 17 })], NOW), /items\[0\]\.platform 17 is not a known platform/);
    invalid(() => validatePredictVirality([item({ timeZone: 'Nowhere/Land' })], NOW), /items\[0\]\.time_zone "Nowhere\/Land" is not an IANA time zone/);
    invalid(() => validatePredictVirality([item({ durationS: -1 })], NOW), /items\[0\]\.duration_s is -1/);
    invalid(() => validatePredictVirality([item({ features: undefined })], NOW), /neither content_id nor features/);
    invalid(() => validatePredictVirality([item({ features: { ...FEATURES, qualityScore: 1.5 } })], NOW), /quality_score is 1.5; it must be within 0..1/);
  });

  it('checks best-time requests: platform, zone, look-back 1..365 (0 means 60), metric', () => {
    const query = validateBestTime({ platform: 'youtube', timeZone: '', lookbackDays: 0, metric: 0 }, NOW);
    expect(query).to.deep.equal({ platform: 'youtube', timeZone: 'UTC', lookbackDays: 60, metric: 'views', after: NOW });
    expect(validateBestTime({ platform: 'x', timeZone: 'Asia/Kolkata', lookbackDays: 365, metric: 'engagement_rate' }, NOW).metric).to.equal('engagement_rate');
    invalid(() => validateBestTime({ platform: 0, timeZone: '', lookbackDays: 7, metric: 0 }, NOW), /platform is required/);
    invalid(() => validateBestTime({ platform: 'tiktok', timeZone: 'UTC+99', lookbackDays: 7, metric: 0 }, NOW), /not an IANA time zone/);
    invalid(() => validateBestTime({ platform: 'tiktok', timeZone: '', lookbackDays: 366, metric: 0 }, NOW), /lookback_days 366 is outside 1\.\.365/);
    invalid(() => validateBestTime({ platform: 'tiktok', timeZone: '', lookbackDays: 7, metric: 5 }, NOW), /metric 5 is not a known metric/);
  });

  it('orders per-platform recommendations best first and says how far behind the others are', () => {
    const texts = recommendationTexts([
      { platform: 'instagram', predictedViews: 900, score: 40 },
      { platform: 'tiktok', predictedViews: 2300.4, score: 81 },
    ]);
    expect(texts.map((t) => t.platform)).to.deep.equal(['tiktok', 'instagram']);
    expect(texts[0].text).to.equal('TikTok is the best platform for this content: about 2,300 views (score 81).');
    expect(texts[1].text).to.equal('Instagram: about 900 views (score 40), 41 points below TikTok.');
  });
});
