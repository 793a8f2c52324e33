// A planted live world: posts whose final views follow known content, timing and early-retention effects, and grow
// toward them at speeds of their own, observed at fixed ages. What the live-learning tests load and compare with.
import type { Metadata } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import type { MetricRecord } from '../../src/gen/stakazo/ml/v1/metrics.js';
import { clientStreamCall } from '../../src/client-calls.js';
import { gaussian, mulberry32 } from '../../src/learning/math/stats.js';
import type { ViralityExample } from '../../src/learning/virality/virality-model.js';
import { messagesOf } from './metrics-fixtures.js';
import { call, uniq, type TestServer } from './server.js';

export const HOUR_MS = 3_600_000;
export const LIVE_PLATFORMS = [Platform.PLATFORM_TIKTOK, Platform.PLATFORM_YOUTUBE];
/** Per platform: ln views level and median growth time constant (hours). */
const LEVEL = { [Platform.PLATFORM_TIKTOK]: { logViews: 8, tauH: 10 }, [Platform.PLATFORM_YOUTUBE]: { logViews: 7, tauH: 30 } } as Record<
  number,
  { logViews: number; tauH: number }
>;
/** Ages (hours) a training post is observed at; its views at 168 h are its final views. */
export const OBSERVED_AGES = [1, 3, 6, 24, 72, 168];

export interface LivePost {
  postId: string;
  platform: Platform;
  publishTime: Date;
  durationS: number;
  qualityScore: number;
  ctaInFirst5s: boolean;
  first3sLoss: number;
  tauH: number;
  finalViews: number;
}

/** The planted peak hour (UTC) of a platform: 18 h unless moved. */
export type PeakHours = Partial<Record<Platform, number>>;

/** ln views above the platform level: quality, call to action, duration near 25 s, early loss, evening peak. */
export function plantedSignal(post: Omit<LivePost, 'finalViews' | 'tauH' | 'postId'>, peakHours: PeakHours = {}): number {
  const hour = post.publishTime.getUTCHours();
  const peak = peakHours[post.platform] ?? 18;
  const distance = Math.min(Math.abs(hour - peak), 24 - Math.abs(hour - peak));
  return (
    1.2 * post.qualityScore +
    (post.ctaInFirst5s ? 0.4 : 0) -
    0.5 * Math.abs(Math.log(post.durationS / 25)) -
    2 * post.first3sLoss +
    1.2 * Math.exp(-(distance ** 2) / 4)
  );
}

/** `count` posts published at whole hours in [firstPublishMs, firstPublishMs + spreadH h). */
export function liveWorld(seed: number, count: number, firstPublishMs: number, spreadH: number, peakHours: PeakHours = {}): LivePost[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const platform = LIVE_PLATFORMS[i % LIVE_PLATFORMS.length];
    const post = {
      postId: uniq('lw'),
      platform,
      publishTime: new Date(firstPublishMs + Math.floor(random() * spreadH) * HOUR_MS),
      durationS: 5 + random() * 80,
      qualityScore: random(),
      ctaInFirst5s: random() < 0.5,
      first3sLoss: 0.2 + 0.5 * random(),
    };
    const logViews = LEVEL[platform].logViews + plantedSignal(post, peakHours) + 0.6 * gaussian(random);
    return { ...post, finalViews: Math.round(Math.exp(logViews)), tauH: LEVEL[platform].tauH * Math.exp(0.6 * gaussian(random)) };
  });
}

/** Views at an age: final × (1 − e^(−age/τ)) / (1 − e^(−168/τ)), so the 7-day views are the final ones. */
export const viewsAtAge = (post: LivePost, ageH: number) =>
  Math.round((post.finalViews * (1 - Math.exp(-Math.min(ageH, 168) / post.tauH))) / (1 - Math.exp(-168 / post.tauH)));

/** Retention records of a post at the given ages (record ids are stable: re-sending one is a duplicate). */
export const recordsOf = (post: LivePost, ages: readonly number[]): MetricRecord[] =>
  ages.map((ageH) => ({
    recordId: `${post.postId}-${ageH}`,
    observeTime: new Date(post.publishTime.getTime() + ageH * HOUR_MS),
    payload: {
      $case: 'retention',
      value: {
        postId: post.postId,
        views: viewsAtAge(post, ageH),
        averageViewDurationS: 8,
        completionRate: 0.3,
        rewatchRate: 0.02,
        skipRateFirst3s: post.first3sLoss,
        retentionCurve: [],
      },
    },
  }));

/** Registers each post's content (with its features) and the post. */
export async function registerLivePosts(server: TestServer, metadata: Metadata, posts: readonly LivePost[]): Promise<void> {
  const m = server.metrics;
  const one = async (post: LivePost) => {
    const features = { qualityScore: post.qualityScore, aestheticScore: 0.5, captionLengthChars: 40, ctaInFirst5s: post.ctaInFirst5s, hashtagCount: 2 };
    const content = { contentId: post.postId, durationS: post.durationS, features, metadata: undefined, createTime: undefined, updateTime: undefined };
    await call(m, m.registerContent, { content }, metadata);
    const registered = { postId: post.postId, contentId: post.postId, platform: post.platform, account: 'a', publishTime: post.publishTime, timeZone: 'UTC' };
    await call(m, m.registerPost, { post: { ...registered, createTime: undefined, updateTime: undefined } }, metadata);
  };
  for (let i = 0; i < posts.length; i += 16) await Promise.all(posts.slice(i, i + 16).map(one));
}

/** Streams records; every one must be new. Returns the answer. */
export async function streamRecords(server: TestServer, metadata: Metadata, records: MetricRecord[]) {
  const answer = await clientStreamCall(server.metrics, server.metrics.streamMetrics, messagesOf(records, 500), metadata);
  return answer;
}

/** Streams records that must all be accepted. */
export async function observe(server: TestServer, metadata: Metadata, records: MetricRecord[]): Promise<void> {
  expect((await streamRecords(server, metadata, records)).acceptedCount).to.equal(records.length);
}

/** The post as a virality model example with its final views (what a data scientist fits on). */
export function exampleOf(post: LivePost): ViralityExample {
  return {
    publishedAt: post.publishTime,
    platform: post.platform === Platform.PLATFORM_TIKTOK ? 'tiktok' : 'youtube',
    durationS: post.durationS,
    qualityScore: post.qualityScore,
    aestheticScore: 0.5,
    captionLengthChars: 40,
    ctaInFirst5s: post.ctaInFirst5s,
    hashtagCount: 2,
    publishHour: post.publishTime.getUTCHours(),
    publishWeekday: post.publishTime.getUTCDay() || 7,
    first3sLoss: post.first3sLoss,
    logViews: Math.log1p(post.finalViews),
  };
}
