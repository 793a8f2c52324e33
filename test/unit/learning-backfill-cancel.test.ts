// LearningService.backfill stops at a cancellation instead of recording it as one more failed day and going on.
import { expect } from 'chai';
import { AppError } from '../../src/errors.js';
import type { LearningRepository } from '../../src/learning/run/learning.repository.js';
import { LearningService } from '../../src/learning/run/learning.service.js';
import { createLogger } from '../../src/log.js';

/** A repository whose every claim fails (as a cancelled query does); counts the days claimed. */
function failingRepository(failure: () => Error) {
  const claimed: string[] = [];
  const repo = {
    daysWithStatus: async () => new Set<string>(),
    claimRun: async (_tenant: string, day: string) => {
      claimed.push(day);
      throw failure();
    },
    getRun: async () => undefined,
  } as unknown as LearningRepository;
  return { repo, claimed };
}

describe('learning backfill cancellation', () => {
  const log = createLogger('silent');
  const now = () => new Date('2024-06-01T00:00:00Z');

  it('goes on after an ordinary failed day', async () => {
    const { repo, claimed } = failingRepository(() => new Error('boom'));
    const result = await new LearningService(repo, log, { now }).backfill('t', '2024-01-01', '2024-01-10', 'all');
    expect(result.daysRun).to.equal(0);
    expect(claimed).to.have.length(10);
  });

  it('rethrows a cancelled day and runs no further day', async () => {
    const { repo, claimed } = failingRepository(() => new AppError('cancelled', 'the database query for learning run was cancelled'));
    const service = new LearningService(repo, log, { now });
    const err = await service.backfill('t', '2024-01-01', '2024-01-10', 'all').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AppError).with.property('kind', 'cancelled');
    expect(claimed).to.deep.equal(['2024-01-01']);
  });

  it('checks the signal before each day', async () => {
    const controller = new AbortController();
    const { repo, claimed } = failingRepository(() => new Error('boom'));
    const err = await new LearningService(repo, log, { now })
      .backfill(
        't',
        '2024-01-01',
        '2024-01-10',
        'all',
        (_day, index) => {
          if (index === 2) controller.abort(new AppError('cancelled', 'call cancelled'));
        },
        controller.signal,
      )
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AppError).with.property('kind', 'cancelled');
    expect(claimed).to.deep.equal(['2024-01-01', '2024-01-02']);
  });
});
