// The daily learning run over the streamed day, and PredictVirality: one planned item, one live post, a batch.
import type { ViralityInput } from '../../src/gen/stakazo/ml/v1/learning.js';
import type { Backend } from '../backend.js';
import { durationOf, platformOf, postIdOf, type MetricWorld } from '../data.js';
import { call } from '../grpc.js';
import { valueMeasure, type Measure } from '../measure.js';
import { latencies, percentile, progress, timed } from '../stats.js';

/** Items in the batch measure (the most one call takes). */
const BATCH = 1000;

/** RunDailyLearning (force) over the day the metric stream filled. */
export async function measureLearningRun(backend: Backend, world: MetricWorld, recordCount: number): Promise<Measure[]> {
  progress(`${backend.name}: daily learning run over ${world.day} (${recordCount} records)`);
  const { result, ms } = await timed(() => call(backend.learning, backend.learning.runDailyLearning, { day: world.day, force: true }, 1_800_000));
  const status = result.run?.status;
  return [
    valueMeasure(
      {
        id: 'learning.daily_run',
        name: `daily learning run (${recordCount} records)`,
        value: ms / 1000,
        unit: 's',
        note: status === undefined ? undefined : `run status ${status}`,
      },
      '<=',
      10,
    ),
  ];
}

/** A planned (not yet published) item: the pre-publication prediction. */
function plannedItem(i: number): ViralityInput {
  return {
    contentId: '',
    features: { qualityScore: (i % 10) / 10, aestheticScore: 0.5, captionLengthChars: 80, ctaInFirst5s: i % 2 === 0, hashtagCount: 3 },
    durationS: durationOf(i),
    platform: platformOf(i),
    plannedPublishTime: new Date(Date.now() + 86_400_000),
    timeZone: 'UTC',
    postId: '',
    horizonHours: 0,
  };
}

/** A live post of the streamed world: its forecast from the latest observation (one query for it). */
function liveItem(world: MetricWorld, i: number): ViralityInput {
  return { ...plannedItem(i), platform: 0, plannedPublishTime: undefined, durationS: 0, postId: postIdOf(world, (i * 7919) % world.posts) };
}

/**
 * PredictVirality p50 for one planned item, for one live post of the streamed world (after the learning run, so its
 * forecast model is learned), and for a batch of 1,000 planned items.
 */
export async function measureVirality(backend: Backend, reps: number, world: MetricWorld): Promise<Measure[]> {
  const predict = (items: ViralityInput[]) => call(backend.learning, backend.learning.predictVirality, { items });
  progress(`${backend.name}: PredictVirality — one planned item, one live post, batches of ${BATCH}`);
  const single = await latencies(reps, (i) => predict([plannedItem(i)]));
  let forecasts = 0;
  let liveCalls = 0;
  const live = await latencies(reps, async (i) => {
    const answer = await predict([liveItem(world, i)]);
    liveCalls++;
    if (answer.predictions[0]?.forecast) forecasts++;
  });
  const batch = await latencies(Math.max(5, Math.round(reps / 10)), (r) => predict(Array.from({ length: BATCH }, (_, i) => plannedItem(r * BATCH + i))));
  return [
    valueMeasure(
      { id: 'virality.predict_p50', name: 'virality prediction p50 (PredictVirality, 1 item)', value: percentile(single, 0.5), unit: 'ms' },
      '<=',
      2,
    ),
    valueMeasure(
      {
        id: 'virality.live_post_p50',
        name: 'live-post forecast p50 (PredictVirality, 1 post_id)',
        value: percentile(live, 0.5),
        unit: 'ms',
        note: `${forecasts} of ${liveCalls} answers carried a forecast`,
      },
      '<=',
      3,
    ),
    valueMeasure(
      { id: 'virality.batch_p50', name: `virality batch p50 (PredictVirality, ${BATCH} items)`, value: percentile(batch, 0.5), unit: 'ms' },
      '<=',
      100,
    ),
  ];
}
