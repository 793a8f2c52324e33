// Live learning's pure parts: the refresh's sufficient statistics (a removed outcome leaves the sums as if never
// added; a refit from them equals the daily fit with the same penalties on the same rows) and the stacked
// forecast cell (it keeps an input only when it lowers the leave-one-out error).
import { expect } from 'chai';
import { gaussian, mulberry32 } from '../../src/learning/math/stats.js';
import { fitStackedCell, stackInputs } from '../../src/learning/virality/forecast-stack.js';
import { OutcomeFolder } from '../../src/learning/virality/refresh-stats.js';
import { fitViralityModel } from '../../src/learning/virality/virality-fit.js';
import { ViralityModel } from '../../src/learning/virality/virality-model.js';
import { viralityWorld } from '../helpers/virality-world.js';

describe('live learning: refresh statistics', () => {
  const examples = viralityWorld(5, 400);
  const daily = fitViralityModel(examples)!;
  const refresh = { baseVersion: 'v1', trainedThrough: '2026-06-01T00:00:00.000Z', outcomes: examples.length };

  it('refits the daily model exactly from sums of the same rows, and a removal undoes an addition', () => {
    const folder = new OutcomeFolder(daily);
    const sums = folder.empty();
    for (const e of examples) folder.fold(sums, e, e.logViews, 1);
    const refit = new ViralityModel(folder.refit(sums, refresh));
    const model = new ViralityModel(daily);
    for (const e of examples.slice(0, 50)) expect(refit.predict(e).predictedLogViews).to.be.closeTo(model.predict(e).predictedLogViews, 1e-6);

    const extra = viralityWorld(6, 30);
    for (const e of extra) folder.fold(sums, e, e.logViews + 3, 1);
    for (const e of extra) folder.fold(sums, e, e.logViews + 3, -1);
    const undone = new ViralityModel(folder.refit(sums, refresh));
    expect(sums.rows).to.equal(examples.length);
    for (const e of examples.slice(0, 50)) expect(undone.predict(e).predictedLogViews).to.be.closeTo(model.predict(e).predictedLogViews, 1e-6);
  });
});

describe('live learning: stacked forecast cell', () => {
  /** Posts whose final ln views are prior + noise, seen at 6 h as a fixed share of them (with or without a prior signal). */
  function cellPairs(seed: number, priorSignal: boolean) {
    const random = mulberry32(seed);
    return Array.from({ length: 200 }, () => {
      const signal = gaussian(random);
      const final = 8 + signal + 0.5 * gaussian(random);
      const early = final - 1.5 + 0.4 * gaussian(random);
      const points = [
        { ageH: 3, views: Math.expm1(early - 0.5) },
        { ageH: 6, views: Math.expm1(early) },
      ];
      return { x: stackInputs(points, 6, priorSignal ? 8 + signal : 8 + gaussian(random))!, y: final };
    });
  }

  it('uses the pre-publication prediction when it carries information', () => {
    const cell = fitStackedCell(cellPairs(1, true))!;
    expect(cell.coefficients[3]).to.be.above(0.2);
    expect(cell.residualP10).to.be.below(0);
    expect(cell.residualP90).to.be.above(0);
  });

  it('leaves out a pre-publication prediction that is noise', () => {
    const cell = fitStackedCell(cellPairs(2, false));
    expect(cell === undefined || Math.abs(cell.coefficients[3]) < 0.05).to.equal(true);
  });
});
