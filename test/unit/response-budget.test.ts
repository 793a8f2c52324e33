// The per-call answer budget (LIMIT_MAX_RESPONSE_BYTES) and the process's bound on answers being built at once
// (LIMIT_MAX_INFLIGHT_RESPONSE_BYTES): pure, no server.
import { expect } from 'chai';
import { AppError } from '../../src/errors.js';
import { InflightAnswerBytes, ResponseBudget } from '../../src/embedding/search/response-budget.js';

const MiB = 1024 * 1024;

function refusal(fn: () => void): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected RESOURCE_EXHAUSTED');
}

describe('response budgets', () => {
  it('takes each call’s reservation and charges from the process bound, and refuses the call that would pass it', () => {
    const inflight = new InflightAnswerBytes(2 * MiB);
    const first = new ResponseBudget(MiB, 'SearchBatch', inflight);
    const second = new ResponseBudget(MiB, 'SearchBatch', inflight);
    first.reserve(0.75 * MiB);
    second.reserve(0.75 * MiB);
    second.charge(0.25 * MiB);
    expect(inflight.inUseBytes).to.equal(1.75 * MiB);
    const third = new ResponseBudget(MiB, 'Search', inflight);
    const err = refusal(() => third.reserve(0.5 * MiB));
    expect(err.kind).to.equal('resource_exhausted');
    expect(err.message).to.match(
      /^Search needs 512 KiB more for its answer while other calls' answers hold 1\.8 MiB of 2\.0 MiB \(LIMIT_MAX_INFLIGHT_RESPONSE_BYTES\)/,
    );
    // A refused reservation takes nothing; what the others took comes back when they end.
    expect(inflight.inUseBytes).to.equal(1.75 * MiB);
    first.release();
    second.release();
    second.release();
    expect(inflight.inUseBytes).to.equal(0);
    third.reserve(0.5 * MiB);
    expect(inflight.inUseBytes).to.equal(0.5 * MiB);
  });

  it('refuses a charge past the bound as well, and still gives back what was taken', () => {
    const inflight = new InflightAnswerBytes(MiB);
    const budget = new ResponseBudget(MiB, 'SearchContent', inflight);
    budget.reserve(0.5 * MiB);
    inflight.tryTake(0.4 * MiB);
    expect(refusal(() => budget.charge(0.2 * MiB)).message).to.match(/^SearchContent needs 205 KiB more/);
    budget.release();
    expect(inflight.inUseBytes).to.be.closeTo(0.4 * MiB, 1);
  });

  it('keeps the per-call limit first: a reservation over LIMIT_MAX_RESPONSE_BYTES names that limit and takes nothing', () => {
    const inflight = new InflightAnswerBytes(4 * MiB);
    const err = refusal(() => new ResponseBudget(MiB, 'SearchBatch', inflight).reserve(2 * MiB));
    expect(err.message).to.match(/LIMIT_MAX_RESPONSE_BYTES/);
    expect(inflight.inUseBytes).to.equal(0);
  });
});
