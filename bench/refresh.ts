// The live-learning bench (issue 29): the cost of a model refresh per 1,000 new outcomes, and the live-post
// forecast p50 with the stacked cells, on the back-end of DATABASE_URL (PGlite without). Quick by default:
// 400 training posts and a daily run, then batches of 1,000 new posts (each observed at 1, 3, 6, 24, 72 and 168 h)
// each folded in by one refresh. `node --import tsx bench/refresh.ts [batches]`.
import { percentile, latencies, timed } from './stats.js';
import type { ViralityInput } from '../src/gen/stakazo/ml/v1/learning.js';
import { HOUR_MS, liveWorld, OBSERVED_AGES, observe, recordsOf, registerLivePosts } from '../test/helpers/live-world.js';
import { freshTenant } from '../test/helpers/planted-world.js';
import { call, startTestServer } from '../test/helpers/server.js';

const DAY_MS = 24 * HOUR_MS;
const TRAIN_END = Date.parse('2021-03-02T00:00:00Z');
const batches = Number(process.argv[2] ?? 3);

const server = await startTestServer();
try {
  const { tenantId, metadata } = await freshTenant(server, 'bench-refresh');
  const training = liveWorld(1, 400, TRAIN_END - 40 * DAY_MS, 30 * 24);
  await registerLivePosts(server, metadata, training);
  await observe(
    server,
    metadata,
    training.flatMap((p) => recordsOf(p, OBSERVED_AGES)),
  );
  await call(server.learning, server.learning.runDailyLearning, { day: '2021-03-01', force: true }, metadata);
  const refresher = server.running.services.refresher;
  const base = await timed(() => refresher.refresh(tenantId, new Date(TRAIN_END)));
  console.log(`base statistics (once per daily model, ${training.length} posts): ${base.ms.toFixed(0)} ms`);
  const perBatch: number[] = [];
  for (let b = 0; b < batches; b++) {
    const from = TRAIN_END + b * 8 * DAY_MS;
    const posts = liveWorld(100 + b, 1000, from, 24);
    await registerLivePosts(server, metadata, posts);
    await observe(
      server,
      metadata,
      posts.flatMap((p) => recordsOf(p, OBSERVED_AGES)),
    );
    const { result, ms } = await timed(() => refresher.refresh(tenantId, new Date(from + 8 * DAY_MS)));
    perBatch.push(ms);
    console.log(`refresh ${b + 1}: ${result?.outcomes} new outcomes (${result?.counted} counted) in ${ms.toFixed(0)} ms`);
  }
  const live = liveWorld(999, 200, TRAIN_END + batches * 8 * DAY_MS, 24);
  await registerLivePosts(server, metadata, live);
  await observe(
    server,
    metadata,
    live.flatMap((p) => recordsOf(p, [1, 3, 6])),
  );
  const item = (i: number): ViralityInput => ({
    contentId: '',
    features: undefined,
    durationS: 0,
    platform: 0,
    plannedPublishTime: undefined,
    timeZone: '',
    postId: live[i % live.length].postId,
    horizonHours: 0,
  });
  const planned = await latencies(300, (i) =>
    call(
      server.learning,
      server.learning.predictVirality,
      {
        items: [
          {
            ...item(i),
            postId: '',
            contentId: live[i % live.length].postId,
            platform: live[i % live.length].platform,
            plannedPublishTime: live[i % live.length].publishTime,
            timeZone: 'UTC',
          },
        ],
      },
      metadata,
    ),
  );
  const forecast = await latencies(300, (i) => call(server.learning, server.learning.predictVirality, { items: [item(i)] }, metadata));
  console.log(
    `refresh per 1,000 new outcomes: p50 ${percentile(perBatch, 0.5).toFixed(0)} ms; live-post forecast p50 ${percentile(forecast, 0.5).toFixed(2)} ms ` +
      `(the same content's pre-publication prediction p50 ${percentile(planned, 0.5).toFixed(2)} ms)`,
  );
} finally {
  await server.stop();
}
