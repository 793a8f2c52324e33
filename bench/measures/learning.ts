// The daily learning run over the streamed day, and PredictVirality p50 for one item.
import type { Backend } from '../backend.js';
import { durationOf, platformOf, type MetricWorld } from '../data.js';
import { call } from '../grpc.js';
import { valueMeasure, type Measure } from '../measure.js';
import { latencies, percentile, progress, timed } from '../stats.js';

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

/** p50 of PredictVirality for a single item. */
export async function measureVirality(backend: Backend, reps: number): Promise<Measure[]> {
  const samples = await latencies(reps, (i) =>
    call(backend.learning, backend.learning.predictVirality, {
      items: [
        {
          contentId: '',
          features: { qualityScore: (i % 10) / 10, aestheticScore: 0.5, captionLengthChars: 80, ctaInFirst5s: i % 2 === 0, hashtagCount: 3 },
          durationS: durationOf(i),
          platform: platformOf(i),
          plannedPublishTime: new Date(Date.now() + 86_400_000),
          timeZone: 'UTC',
          postId: '',
          horizonHours: 0,
        },
      ],
    }),
  );
  return [
    valueMeasure(
      { id: 'virality.predict_p50', name: 'virality prediction p50 (PredictVirality, 1 item)', value: percentile(samples, 0.5), unit: 'ms' },
      '<=',
      2,
    ),
  ];
}
