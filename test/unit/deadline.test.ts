// A call's deadline registered on its AbortSignal: checkpoints stop the work once the clock reaches it, without
// waiting for a timer or an event (which a busy event loop delivers late).
import { expect } from 'chai';
import { armDeadline, deadlineOf, stopped, throwIfPastDeadline, throwIfStopped } from '../../src/domain/deadline.js';
import { AppError } from '../../src/errors.js';

/** Blocks the event loop until the clock has passed `epochMs`: no timer can fire meanwhile. */
function busyUntil(epochMs: number): void {
  while (Date.now() <= epochMs) {
    // spin: the point is that no timer or event runs
  }
}

describe('call deadline on the abort signal', () => {
  it('stops at a checkpoint once the deadline passed, although no timer could fire', () => {
    // NOTE: a deadline already past when armed aborts at once (by design); on a loaded machine even a few ms can
    // pass between reading the clock and arming, so the margin grows until the signal was armed unaborted.
    let controller = new AbortController();
    let deadline = 0;
    for (const marginMs of [20, 200, 2000]) {
      controller = new AbortController();
      deadline = Date.now() + marginMs;
      armDeadline(controller, deadline);
      if (!controller.signal.aborted) break;
    }
    expect(deadlineOf(controller.signal)).to.equal(deadline);
    busyUntil(deadline);
    expect(controller.signal.aborted, 'nothing fired yet').to.equal(false);
    expect(() => throwIfStopped(controller.signal))
      .to.throw(AppError)
      .with.property('kind', 'deadline_exceeded');
    expect(controller.signal.aborted, 'the checkpoint aborted the signal for the rest of the work').to.equal(true);
  });

  it('lets work go on before the deadline, and with no deadline', () => {
    const controller = new AbortController();
    armDeadline(controller, Date.now() + 60_000)();
    expect(stopped(controller.signal)).to.equal(false);
    const none = new AbortController();
    armDeadline(none, Number.POSITIVE_INFINITY);
    expect(stopped(none.signal)).to.equal(false);
    expect(stopped(undefined)).to.equal(false);
  });

  it('aborts at once a deadline already past, and its timer aborts a signal no checkpoint reads', async () => {
    const past = new AbortController();
    armDeadline(past, Date.now() - 1);
    expect(past.signal.aborted).to.equal(true);
    // NOTE: armed a moment ahead; on a loaded machine the moment can pass before arming (the deadline then aborts at
    // once, and an 'abort' listener added after it would wait forever: round 3 of test:under-load hung here), so the
    // margin grows until the signal was armed unaborted, and only then is its timer awaited.
    let soon = new AbortController();
    for (const marginMs of [5, 50, 500, 5000]) {
      soon = new AbortController();
      armDeadline(soon, Date.now() + marginMs);
      if (!soon.signal.aborted) break;
    }
    expect(soon.signal.aborted, 'armed before its deadline').to.equal(false);
    await new Promise((resolve) => soon.signal.addEventListener('abort', resolve, { once: true }));
    expect(soon.signal.reason).to.be.instanceOf(AppError).with.property('kind', 'deadline_exceeded');
  });

  it('throws inside a transaction without aborting the signal (whose abort would cancel the rollback)', () => {
    const controller = new AbortController();
    const deadline = Date.now() + 2;
    armDeadline(controller, deadline);
    busyUntil(deadline);
    expect(() => throwIfPastDeadline(controller.signal))
      .to.throw(AppError)
      .with.property('kind', 'deadline_exceeded');
    expect(controller.signal.aborted).to.equal(false);
  });
});
