// MetricStorageService.maintain over plain fakes of its ports: the cutoff it hands to storage (never past a day no
// run learned, nor past a running experiment's first observation) and the warning that says what kept a month.
import { expect } from 'chai';
import { pino } from 'pino';
import { MetricStorageService, type PartitionStore, type TenantDay, type TenantPost } from '../../src/metrics/storage/metric-storage.service.js';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-12-07T01:00:00Z');
const RETENTION_DAYS = 365;
/** NOW minus the retention: 2025-12-07T01:00Z. */
const RETENTION_CUTOFF = new Date(NOW.getTime() - RETENTION_DAYS * DAY_MS);

interface World {
  months: string[];
  days: TenantDay[];
  learned: TenantDay[];
  running: (TenantPost & { experimentId: string })[];
  firstObserved: Map<string, Date>;
}

function setUp(world: World) {
  const cutoffs: Date[] = [];
  const store: PartitionStore = {
    createAhead: async () => [],
    analyzeStale: async () => [],
    months: async () => world.months,
    async dropMonthsBefore(cutoff) {
      cutoffs.push(cutoff);
      const dropped = world.months.filter((m) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(4)), 1) <= cutoff.getTime());
      world.months = world.months.filter((m) => !dropped.includes(m));
      return dropped;
    },
    daysWithMetricsBefore: async (cutoff) => world.days.filter((d) => new Date(`${d.day}T00:00:00Z`) < cutoff),
    firstObservations: async (posts) =>
      posts.flatMap((p) => {
        const at = world.firstObserved.get(p.postId);
        return at ? [{ tenantId: p.tenantId, postId: p.postId, firstObservedAt: at }] : [];
      }),
  };
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const service = new MetricStorageService(store, RETENTION_DAYS, log, {
    learnedDays: {
      succeededDays: async (days) => days.filter((d) => world.learned.some((l) => l.tenantId === d.tenantId && l.day === d.day)),
    },
    experiments: { runningExperimentPosts: async () => world.running },
  });
  const warnings = () => lines.filter((l) => l.level === 40);
  return { service, cutoffs, warnings };
}

describe('metric storage retention', () => {
  it('drops up to the retention cutoff when every day with metrics is learned and no experiment runs', async () => {
    const days = [
      { tenantId: 'a', day: '2025-03-04' },
      { tenantId: 'b', day: '2025-05-06' },
    ];
    const { service, cutoffs, warnings } = setUp({ months: ['202503', '202505', '202512'], days, learned: days, running: [], firstObserved: new Map() });
    expect(await service.maintain(NOW)).to.deep.equal({ created: [], dropped: ['202503', '202505'], kept: [], holds: [] });
    expect(cutoffs).to.deep.equal([RETENTION_CUTOFF]);
    expect(warnings()).to.deep.equal([]);
  });

  it("keeps everything from a tenant's first unlearned day on, and says so for each month it keeps", async () => {
    const { service, cutoffs, warnings } = setUp({
      months: ['202503', '202505', '202507', '202512'],
      days: [
        { tenantId: 'a', day: '2025-03-04' },
        { tenantId: 'b', day: '2025-05-06' },
        { tenantId: 'b', day: '2025-07-08' },
      ],
      learned: [{ tenantId: 'a', day: '2025-03-04' }],
      running: [],
      firstObserved: new Map(),
    });
    const result = await service.maintain(NOW);
    expect(cutoffs).to.deep.equal([new Date('2025-05-06T00:00:00Z')]);
    expect(result).to.deep.include({ dropped: ['202503'], kept: ['202505', '202507'] });
    expect(result.holds).to.deep.equal([{ tenantId: 'b', firstUnlearnedDay: '2025-05-06', unlearnedDays: 2, keptFrom: new Date('2025-05-06T00:00:00Z') }]);
    const perMonth = warnings().filter((w) => 'month' in w);
    expect(perMonth.map((w) => [w.month, w.tenant, w.firstUnlearnedDay, w.unlearnedDays])).to.deep.equal([
      ['202505', 'b', '2025-05-06', 2],
      ['202507', 'b', '2025-05-06', 2],
    ]);
    const summary = warnings().find((w) => 'holds' in w)!;
    expect(summary).to.deep.include({ keptFrom: '2025-05-06T00:00:00.000Z', kept: ['202505', '202507'], holdsCount: 1 });
  });

  it("keeps everything from a running experiment's first observation on, naming the experiment", async () => {
    const learned = [{ tenantId: 'a', day: '2025-06-01' }];
    const { service, cutoffs, warnings } = setUp({
      months: ['202503', '202506', '202512'],
      days: learned,
      learned,
      running: [
        { tenantId: 'a', experimentId: 'exp-1', postId: 'p1' },
        { tenantId: 'a', experimentId: 'exp-1', postId: 'p2' },
        { tenantId: 'a', experimentId: 'exp-2', postId: 'p3' },
      ],
      firstObserved: new Map([
        ['p1', new Date('2025-06-03T10:00:00Z')],
        ['p2', new Date('2025-06-02T10:00:00Z')],
      ]),
    });
    const result = await service.maintain(NOW);
    const firstObservedAt = new Date('2025-06-02T10:00:00Z');
    expect(cutoffs).to.deep.equal([firstObservedAt]);
    expect(result).to.deep.include({ dropped: ['202503'], kept: ['202506'] });
    // exp-2's post has no metrics past retention: it holds nothing.
    expect(result.holds).to.deep.equal([{ tenantId: 'a', experimentId: 'exp-1', postId: 'p2', firstObservedAt, keptFrom: firstObservedAt }]);
    expect(warnings().find((w) => w.month === '202506')).to.deep.include({ tenant: 'a', experimentId: 'exp-1', postId: 'p2' });
  });

  it('drops nothing and asks nothing with retention off', async () => {
    const asked: string[] = [];
    const ask = (what: string) => async () => {
      asked.push(what);
      return [];
    };
    const off = new MetricStorageService(
      {
        createAhead: async () => [],
        analyzeStale: async () => [],
        months: ask('months'),
        dropMonthsBefore: ask('dropMonthsBefore'),
        daysWithMetricsBefore: ask('daysWithMetricsBefore'),
        firstObservations: ask('firstObservations'),
      },
      0,
      pino({ level: 'silent' }),
      { learnedDays: { succeededDays: ask('succeededDays') }, experiments: { runningExperimentPosts: ask('runningExperimentPosts') } },
    );
    expect(await off.maintain(NOW)).to.deep.equal({ created: [], dropped: [], kept: [], holds: [] });
    expect(asked).to.deep.equal([]);
  });
});
