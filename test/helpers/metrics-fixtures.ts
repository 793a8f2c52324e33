// Builders of metrics test data and a promise wrapper of the StreamMetrics client stream.
import type { ClientWritableStream } from '@grpc/grpc-js';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import type { MetricRecord, MetricsServiceClient, StreamMetricsRequest, StreamMetricsResponse } from '../../src/gen/stakazo/ml/v1/metrics.js';
import { clientStreamCall } from '../../src/client-calls.js';
import { call, type TestServer } from './server.js';

/** A retention curve of 101 non-increasing values, exact in float32. */
export function retentionCurve(): number[] {
  return Array.from({ length: 101 }, (_, i) => 1 - i / 128);
}

/** A valid record of each family for `postId` (payload only). */
export function payloads(postId: string, contentId: string): Array<NonNullable<MetricRecord['payload']>> {
  return [
    {
      $case: 'retention',
      value: {
        postId,
        views: 1200,
        averageViewDurationS: 7.5,
        completionRate: 0.25,
        rewatchRate: 0.125,
        skipRateFirst3s: 0.5,
        retentionCurve: retentionCurve(),
      },
    },
    { $case: 'engagement', value: { postId, likes: 10, comments: 2, shares: 3, saves: 4, follows: 1, reach: 900, impressions: 1500 } },
    {
      $case: 'viewerBehavior',
      value: {
        postId,
        trafficSources: { for_you: 0.75, search: 0.125 },
        newViewerFraction: 0.625,
        returningViewerFraction: 0.375,
        audienceRegions: { ES: 0.5, MX: 0.25 },
        watchTimeDistribution: [0.25, 0.125, 0.125, 0.125, 0.0625, 0.0625, 0.0625, 0.0625, 0.0625, 0.0625],
      },
    },
    {
      $case: 'enginePerformance',
      value: {
        engine: 'vision',
        operation: 'clip_embed',
        contentId,
        latencyMs: 12.5,
        costUsd: 0.001,
        success: true,
        qualityOutputs: { aesthetic: 0.8 },
        errorMessage: '',
      },
    },
    {
      $case: 'satellitePerformance',
      value: { satelliteAccount: `${postId}-sat`, platform: Platform.PLATFORM_TIKTOK, postsCount: 3, followersGained: 40, reach: 5000, views: 7000 },
    },
    {
      $case: 'metaLearningScore',
      value: { component: 'community_manager', metric: `${postId}-accuracy`, score: -1.5, context: { model: 'v2', window: { days: 7 } } },
    },
  ];
}

/** A retention record. */
export function retentionRecord(recordId: string, postId: string, observeTime: Date, views = 100): MetricRecord {
  return {
    recordId,
    observeTime,
    payload: {
      $case: 'retention',
      value: { postId, views, averageViewDurationS: 5, completionRate: 0.5, rewatchRate: 0.25, skipRateFirst3s: 0.125, retentionCurve: retentionCurve() },
    },
  };
}

/** Registers a content item and `postCount` posts of it on TikTok; returns their ids. */
export async function registerPosts(server: TestServer, prefix: string, postCount = 1, platform = Platform.PLATFORM_TIKTOK) {
  const contentId = `${prefix}-content`;
  await call(server.metrics, server.metrics.registerContent, {
    content: { contentId, durationS: 30, features: undefined, metadata: undefined, createTime: undefined, updateTime: undefined },
  });
  const postIds: string[] = [];
  for (let i = 0; i < postCount; i++) {
    const postId = `${prefix}-post${i}`;
    await call(server.metrics, server.metrics.registerPost, {
      post: {
        postId,
        contentId,
        platform,
        account: 'sat1',
        publishTime: new Date('2026-01-01T10:00:00Z'),
        timeZone: '',
        createTime: undefined,
        updateTime: undefined,
      },
    });
    postIds.push(postId);
  }
  return { contentId, postIds };
}

/** Opens a StreamMetrics call; `done` settles with the response or the status. */
export function openStream(client: MetricsServiceClient): { stream: ClientWritableStream<StreamMetricsRequest>; done: Promise<StreamMetricsResponse> } {
  let stream!: ClientWritableStream<StreamMetricsRequest>;
  const done = new Promise<StreamMetricsResponse>((resolve, reject) => {
    stream = client.streamMetrics((err, response) => (err ? reject(err) : resolve(response)));
  });
  return { stream, done };
}

export { writeAll } from '../../src/client-calls.js';

/** Streams all messages and returns the response. */
export function streamAll(client: MetricsServiceClient, messages: Iterable<StreamMetricsRequest>): Promise<StreamMetricsResponse> {
  return clientStreamCall(client, client.streamMetrics, messages);
}

/** Groups records into messages of `perMessage`. */
export function* messagesOf(records: Iterable<MetricRecord>, perMessage: number): Generator<StreamMetricsRequest> {
  let batch: MetricRecord[] = [];
  for (const record of records) {
    batch.push(record);
    if (batch.length === perMessage) {
      yield { records: batch };
      batch = [];
    }
  }
  if (batch.length > 0) yield { records: batch };
}
