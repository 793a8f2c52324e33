// Retention analysis: planted drops, dips, holds and rewatches are found where they were planted.
import { expect } from 'chai';
import { analyseRetention, first3sLoss, resampleCurve, retentionAtPercent } from '../../src/learning/retention/retention.js';

/** A 101-point curve through the given (percent, retention) knots, linear in between. */
function curveThrough(knots: Array<[number, number]>): number[] {
  return Array.from({ length: 101 }, (_, p) => {
    for (let k = 0; k + 1 < knots.length; k++) {
      const [x0, y0] = knots[k];
      const [x1, y1] = knots[k + 1];
      if (p >= x0 && p <= x1) return y0 + ((y1 - y0) * (p - x0)) / (x1 - x0);
    }
    return knots[knots.length - 1][1];
  });
}

describe('learning retention', () => {
  it('reports a planted 70 % loss in the first 3 s of a 30 s video', () => {
    // 3 s of 30 s is 10 %: 1 → 0.3 over the first 10 %, then a gentle decline to 0.2.
    const result = analyseRetention({
      curve: curveThrough([
        [0, 1],
        [10, 0.3],
        [100, 0.2],
      ]),
      durationS: 30,
    });
    expect(result.first3sLoss).to.be.closeTo(0.7, 1e-9);
    expect(result.completionRate).to.be.closeTo(0.2, 1e-9);
    expect(result.dropOffPoints).to.have.length.at.least(1);
    const [steepest] = result.dropOffPoints;
    expect(steepest.lossFraction).to.be.closeTo(0.7, 0.03);
    expect(steepest.positionS).to.be.within(0, 3);
    expect(steepest.positionPercent).to.be.within(0, 10);
    const intro = result.keyMoments.find((m) => m.kind === 'intro')!;
    expect(intro.positionS).to.be.closeTo(3, 1e-9);
    expect(intro.retention).to.be.closeTo(0.3, 1e-9);
    expect(intro.description).to.match(/30 % of viewers are still watching \(70 % left\)/);
  });

  it('interpolates the 3 s point between curve samples', () => {
    // 3 s of 40 s is 7.5 %: halfway between the 7 % and 8 % samples.
    const curve = curveThrough([
      [0, 1],
      [100, 0],
    ]);
    expect(first3sLoss(curve, 40)).to.be.closeTo(0.075, 1e-9);
    // A video shorter than 3 s loses everything it loses by its end.
    expect(first3sLoss(curve, 2)).to.be.closeTo(1, 1e-9);
  });

  it('finds no drop-off or dip on a steady linear decline', () => {
    const result = analyseRetention({
      curve: curveThrough([
        [0, 1],
        [100, 0.4],
      ]),
      durationS: 60,
    });
    expect(result.dropOffPoints).to.deep.equal([]);
    expect(result.keyMoments.map((m) => m.kind)).to.deep.equal(['intro']);
  });

  it('finds a mid-video dip, steepest drop-offs first and not overlapping', () => {
    const curve = curveThrough([
      [0, 1],
      [5, 0.85],
      [50, 0.7],
      [55, 0.45],
      [80, 0.4],
      [82, 0.3],
      [100, 0.25],
    ]);
    const result = analyseRetention({ curve, durationS: 100 });
    const [first, second, third] = result.dropOffPoints;
    expect(first.lossFraction).to.be.closeTo(0.25, 0.03);
    expect(first.positionPercent).to.be.within(50, 55);
    expect(first.positionS).to.be.closeTo(first.positionPercent, 1e-9);
    // Steepest (per percent of video) first: the 2-point drop at 80 % before the gentler 5-point drop at the start.
    expect(second.lossFraction).to.be.closeTo(0.1, 0.02);
    expect(second.positionPercent).to.be.within(80, 82);
    expect(third.lossFraction).to.be.closeTo(0.15, 0.02);
    expect(third.positionPercent).to.be.within(0, 5);
    const dips = result.keyMoments.filter((m) => m.kind === 'dip');
    expect(dips.map((d) => Math.round(d.positionPercent / 10))).to.include(5);
    // Video order.
    const positions = result.keyMoments.map((m) => m.positionPercent);
    expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
  });

  it('reports a hold stretch where almost nobody leaves as a spike', () => {
    const curve = curveThrough([
      [0, 1],
      [10, 0.5],
      [20, 0.45],
      [70, 0.45],
      [100, 0.3],
    ]);
    const spikes = analyseRetention({ curve, durationS: 50 }).keyMoments.filter((m) => m.kind === 'spike');
    expect(spikes).to.have.length(1);
    expect(spikes[0].positionPercent).to.be.within(19, 21);
    expect(spikes[0].retention).to.be.closeTo(0.45, 0.01);
    expect(spikes[0].description).to.match(/almost nobody leaves/);
  });

  it('notes rewatches: a rising curve, or a reported rewatch rate', () => {
    const rising = curveThrough([
      [0, 1],
      [40, 0.6],
      [45, 0.7],
      [100, 0.3],
    ]);
    const rewinds = analyseRetention({ curve: rising, durationS: 20 }).keyMoments.filter((m) => m.kind === 'spike');
    expect(rewinds).to.have.length(1);
    expect(rewinds[0].positionPercent).to.equal(41);
    expect(rewinds[0].description).to.match(/rewind/);
    const plain = curveThrough([
      [0, 1],
      [100, 0.3],
    ]);
    const noted = analyseRetention({ curve: plain, durationS: 20, rewatchRate: 0.2 }).keyMoments.filter((m) => m.kind === 'spike');
    expect(noted).to.have.length(1);
    expect(noted[0].description).to.match(/20 % of viewers watch the video again/);
    expect(analyseRetention({ curve: plain, durationS: 20, rewatchRate: 0.01 }).keyMoments).to.have.length(1);
  });

  it('resamples curves of other lengths and interpolates retention', () => {
    const curve = resampleCurve([1, 0.5, 0]);
    expect(curve).to.have.length(101);
    expect(curve[50]).to.be.closeTo(0.5, 1e-12);
    expect(curve[25]).to.be.closeTo(0.75, 1e-12);
    expect(retentionAtPercent(curve, 12.5)).to.be.closeTo(0.875, 1e-12);
  });
});
