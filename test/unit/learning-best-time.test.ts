// Best time to post: planted peak hours are found in the audience's zone (across DST); confidence is earned.
import { expect } from 'chai';
import { bestTimeToPost, nextBestSlotTime, shrinkageStrength, slotTimingValue, type TimedOutcome } from '../../src/learning/timing/timing-grid.js';
import { gaussian, mulberry32 } from '../../src/learning/math/stats.js';
import { isValidTimeZone, localTime, localTimeCache, nextLocalHourStart } from '../../src/domain/time-zone.js';

const NEW_YORK = 'America/New_York';
/** 2026-02-20: two months from here cross the US switch to daylight time on 2026-03-08. */
const START_MS = Date.UTC(2026, 1, 20);
const DAY_MS = 86_400_000;

/** Posts at uniformly random instants; those at `peakHour` local time do `effect` better (log-views scale). */
function world(seed: number, days: number, timeZone: string, peakHour: number, effect: number, perDay = 10): TimedOutcome[] {
  const random = mulberry32(seed);
  return Array.from({ length: days * perDay }, () => {
    const publishedAt = new Date(START_MS + random() * days * DAY_MS);
    const atPeak = localTime(publishedAt, timeZone).hour === peakHour;
    return { publishedAt, outcome: 7 + (atPeak ? effect : 0) + 0.8 * gaussian(random) };
  });
}

describe('learning best time', () => {
  it('puts a planted peak hour first in New York time, across the DST switch', () => {
    for (const seed of [1, 2, 3]) {
      const posts = world(seed, 60, NEW_YORK, 18, 1);
      const result = bestTimeToPost(posts, NEW_YORK);
      expect(result.topHours[0], `seed ${seed}`).to.equal(18);
      expect(result.topHours).to.have.length(3);
      expect(result.topSlots.filter((slot) => slot.hour === 18).length, `seed ${seed}`).to.be.at.least(2);
      expect(result.sampleSize).to.equal(600);
      const hour18 = result.cells.filter((c) => c.hour === 18).reduce((s, c) => s + c.sampleSize, 0);
      expect(hour18).to.equal(posts.filter((p) => localTime(p.publishedAt, NEW_YORK).hour === 18).length);
    }
  });

  it('finds a peak planted in another zone, where UTC would put it elsewhere', () => {
    const posts = world(4, 60, 'Asia/Kolkata', 9, 1);
    expect(bestTimeToPost(posts, 'Asia/Kolkata').topHours[0]).to.equal(9);
    expect(bestTimeToPost(posts, 'UTC').topHours[0]).to.not.equal(9);
  });

  it('is less confident with one week than with two months of the same world', () => {
    const week: number[] = [];
    const months: number[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const twoMonths = world(seed, 60, NEW_YORK, 18, 1);
      const oneWeek = twoMonths.filter((p) => p.publishedAt.getTime() < START_MS + 7 * DAY_MS);
      week.push(bestTimeToPost(oneWeek, NEW_YORK).confidence);
      months.push(bestTimeToPost(twoMonths, NEW_YORK).confidence);
      expect(week[week.length - 1], `seed ${seed}`).to.be.lessThan(months[months.length - 1]);
    }
    const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(average(week)).to.be.lessThan(0.2);
    expect(average(months)).to.be.greaterThan(0.6);
  });

  it('is not confident about noise', () => {
    for (const seed of [1, 2, 3, 4, 5]) expect(bestTimeToPost(world(seed, 60, NEW_YORK, 18, 0), NEW_YORK).confidence, `seed ${seed}`).to.be.lessThan(0.2);
  });

  it('answers without data with empty tops and zero confidence, never a made-up peak', () => {
    const result = bestTimeToPost([], NEW_YORK);
    expect(result).to.deep.include({ topHours: [], topWeekdays: [], topSlots: [], confidence: 0, sampleSize: 0 });
    expect(result.cells).to.have.length(168);
    expect(nextBestSlotTime(result, NEW_YORK, new Date())).to.equal(undefined);
    expect(slotTimingValue(result, 1, 18)).to.equal(0.5);
    const two = bestTimeToPost(world(1, 1, NEW_YORK, 18, 1, 2), NEW_YORK);
    expect(two.confidence).to.equal(0);
  });

  it('shrinks a cell with one lucky post below a well-sampled good cell', () => {
    const monday = (hour: number, minute: number, outcome: number): TimedOutcome => ({ publishedAt: new Date(Date.UTC(2026, 0, 5, hour, minute)), outcome });
    // Hours 0..19: 20 posts each, means 7.0-7.2 and a spread of 1; hour 20 is really better; hour 22 has one lucky post.
    const posts: TimedOutcome[] = [];
    for (let hour = 0; hour < 20; hour++) for (let i = 0; i < 20; i++) posts.push(monday(hour, i, 7 + 0.1 * (hour % 3) + (i % 2 ? 1 : -1)));
    for (let i = 0; i < 20; i++) posts.push(monday(20, i, 7.6 + (i % 2 ? 1 : -1)));
    posts.push(monday(22, 0, 10));
    const result = bestTimeToPost(posts, 'UTC');
    expect(result.topSlots[0].hour).to.equal(20);
    const lucky = result.cells[22];
    expect(lucky.mean).to.equal(10);
    expect(lucky.shrunkEstimate).to.be.lessThan(result.cells[20].shrunkEstimate);
    expect(lucky.shrunkEstimate).to.be.lessThan(10).and.greaterThan(result.platformMean);
    expect(result.shrinkageStrength).to.be.at.least(1);
    expect(slotTimingValue(result, 1, 20)).to.equal(1);
    expect(slotTimingValue(result, 1, 20)).to.be.greaterThan(slotTimingValue(result, 1, 3));
  });

  it('estimates no between-group variance (maximum shrinkage) for identical groups', () => {
    const group = { n: 10, sum: 50, sumSquares: 10 * 25 + 9 };
    expect(shrinkageStrength([group, group, group])).to.equal(10_000);
  });

  it('finds the next top slot in the zone, across DST gaps and repeats', () => {
    // Sunday 02:00 does not exist in New York on 2026-03-08 (clocks jump to 03:00): the next one is a week later.
    expect(nextLocalHourStart(new Date('2026-03-07T12:00:00Z'), NEW_YORK, 7, 2)?.toISOString()).to.equal('2026-03-15T06:00:00.000Z');
    // Sunday 01:00 happens twice on 2026-11-01: the first (EDT) occurrence.
    expect(nextLocalHourStart(new Date('2026-10-31T12:00:00Z'), NEW_YORK, 7, 1)?.toISOString()).to.equal('2026-11-01T05:00:00.000Z');
    // Monday 18:00 is 23:00Z in winter and 22:00Z in summer; strictly after the given instant.
    expect(nextLocalHourStart(new Date('2026-03-01T12:00:00Z'), NEW_YORK, 1, 18)?.toISOString()).to.equal('2026-03-02T23:00:00.000Z');
    expect(nextLocalHourStart(new Date('2026-03-09T22:00:00Z'), NEW_YORK, 1, 18)?.toISOString()).to.equal('2026-03-16T22:00:00.000Z');
    const result = bestTimeToPost(world(1, 60, NEW_YORK, 18, 1), NEW_YORK);
    const next = nextBestSlotTime(result, NEW_YORK, new Date('2026-04-01T00:00:00Z'))!;
    expect(localTime(next, NEW_YORK)).to.deep.include({ hour: 18, minute: 0 });
    expect(result.topSlots.some((s) => s.weekday === localTime(next, NEW_YORK).weekday)).to.equal(true);
  });

  it('reads local weekdays and hours, including quarter-hour zones, and validates zones', () => {
    expect(localTime(new Date('2026-03-09T00:30:00Z'), NEW_YORK)).to.deep.equal({ weekday: 7, hour: 20, minute: 30 });
    expect(localTime(new Date('2026-01-01T04:59:00Z'), 'Asia/Kathmandu')).to.deep.equal({ weekday: 4, hour: 10, minute: 44 });
    const cached = localTimeCache('Asia/Kathmandu');
    for (const iso of ['2026-01-01T04:59:00Z', '2026-01-01T05:14:59Z', '2026-06-30T23:59:00Z'])
      expect(cached(new Date(iso))).to.deep.equal(localTime(new Date(iso), 'Asia/Kathmandu'));
    expect(isValidTimeZone('Europe/Madrid')).to.equal(true);
    expect(isValidTimeZone('Mars/Base')).to.equal(false);
    expect(isValidTimeZone('')).to.equal(false);
  });
});
