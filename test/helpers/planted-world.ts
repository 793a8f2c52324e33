// A synthetic world with a planted effect of each kind (content, duration shape, local hour and weekday per
// platform, platform, slow growth, noise), loaded for a fresh tenant through the real RPCs.
import type { Metadata } from '@grpc/grpc-js';
import { Platform } from '../../src/gen/stakazo/ml/v1/common.js';
import { clientStreamCall } from '../../src/client-calls.js';
import { contentOf, postOf, recordsOf, type WorldPost } from '../../src/demo/world.js';
import { gaussian, mean, mulberry32, spearman } from '../../src/learning/math/stats.js';
import { localTime } from '../../src/domain/time-zone.js';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { messagesOf } from './metrics-fixtures.js';
import { bearer, call, uniq, type TestServer } from './server.js';

export const PLANTED_PLATFORMS = [Platform.PLATFORM_TIKTOK, Platform.PLATFORM_INSTAGRAM, Platform.PLATFORM_YOUTUBE];
export const PLANTED_ZONES = ['America/New_York', 'Europe/Madrid'];

/** The planted truth: effects on ln(1 + views). */
export const TRUTH = {
  base: 6.5,
  platform: { [Platform.PLATFORM_TIKTOK]: 0.3, [Platform.PLATFORM_INSTAGRAM]: 0, [Platform.PLATFORM_YOUTUBE]: -0.2 } as Record<number, number>,
  /** Peak local hour per platform; the effect is 0.8 · exp(−d² / (2 · 2.5²)) at d hours (circular) from it. */
  peakHour: { [Platform.PLATFORM_TIKTOK]: 20, [Platform.PLATFORM_INSTAGRAM]: 12, [Platform.PLATFORM_YOUTUBE]: 17 } as Record<number, number>,
  /** Effect of each local weekday, Monday first. */
  weekday: {
    [Platform.PLATFORM_TIKTOK]: [-0.2, -0.1, 0, 0.1, 0.5, 0.2, -0.15],
    [Platform.PLATFORM_INSTAGRAM]: [0.1, 0.5, 0.2, 0, -0.1, -0.2, -0.15],
    [Platform.PLATFORM_YOUTUBE]: [-0.15, -0.1, 0, 0, 0.1, 0.2, 0.5],
  } as Record<number, number[]>,
  /** Growth per day since the first publication. */
  trendPerDay: 0.006,
  noise: 0.5,
  /** Share of Monday and Tuesday (UTC) posts put at the platform's peak hour: cell means of weekdays are confounded. */
  peakHourShareEarlyWeek: 0.4,
};

export const hourEffect = (platform: number, hour: number) => {
  const d = Math.min(Math.abs(hour - TRUTH.peakHour[platform]), 24 - Math.abs(hour - TRUTH.peakHour[platform]));
  return 0.8 * Math.exp(-(d * d) / (2 * 2.5 * 2.5));
};

/** A world post with the zone it is published in and its local slot. */
export interface PlantedPost extends WorldPost {
  timeZone: string;
  hour: number;
  weekday: number;
}

/**
 * `postsPerDay` posts a day for `days` days from `startDay`, at uniformly drawn local hours. `levelShift` moves
 * every post's expected ln(1 + views) (another artist's audience size, the same effects).
 */
export function plantedWorld(seed: number, startDay: string, days: number, postsPerDay: number, prefix = uniq('pw'), levelShift = 0): PlantedPost[] {
  const random = mulberry32(seed);
  const start = Date.parse(`${startDay}T00:00:00Z`);
  const posts: PlantedPost[] = [];
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < postsPerDay; i++) {
      const platform = PLANTED_PLATFORMS[Math.floor(random() * 3)];
      const timeZone = PLANTED_ZONES[Math.floor(random() * 2)];
      let publishTime = new Date(start + d * 86_400_000 + Math.floor(random() * 86_400) * 1000);
      if ([1, 2].includes(new Date(start + d * 86_400_000).getUTCDay()) && random() < TRUTH.peakHourShareEarlyWeek) {
        // NOTE: whole hours later until the local hour is the peak: the minutes stay random.
        while (localTime(publishTime, timeZone).hour !== TRUTH.peakHour[platform]) publishTime = new Date(publishTime.getTime() + 3_600_000);
      }
      const { hour, weekday } = localTime(publishTime, timeZone);
      const durationS = 6 + Math.floor(random() * 115);
      const quality = Math.round(random() * 100) / 100;
      const aesthetic = Math.round(random() * 100) / 100;
      const cta = random() < 0.5;
      const captionLength = Math.floor(random() * 200);
      const hashtags = Math.floor(random() * 10);
      const expectedLogViews =
        TRUTH.base +
        levelShift +
        1.2 * quality +
        0.3 * aesthetic +
        0.5 * (cta ? 1 : 0) -
        0.04 * hashtags -
        0.6 * Math.log(durationS / 25) ** 2 +
        TRUTH.platform[platform] +
        hourEffect(platform, hour) +
        TRUTH.weekday[platform][weekday - 1] +
        TRUTH.trendPerDay * d;
      const views = Math.round(Math.expm1(expectedLogViews + TRUTH.noise * gaussian(random)));
      const postId = `${prefix}-p${d}-${i}`;
      posts.push({
        postId,
        contentId: `${postId}-c`,
        platform,
        publishTime,
        durationS,
        quality,
        aesthetic,
        cta,
        captionLength,
        hashtags,
        expectedLogViews,
        views,
        first3sLoss: 0.3 + 0.03 * gaussian(random),
        completion: 0.15,
        observeTime: new Date(publishTime.getTime() + 20 * 3_600_000),
        timeZone,
        hour,
        weekday,
      });
    }
  }
  return posts;
}

const tokenTenants = new Set<string>();

/** A fresh tenant with a token: the metadata to call as it. Call {@link deleteTenantTokens} in the file's after hook. */
export async function freshTenant(server: TestServer, prefix = 'pw'): Promise<{ tenantId: string; metadata: Metadata }> {
  const tenantId = uniq(prefix);
  const { token } = await new TenancyService(new TenancyRepository(server.running.db)).createToken(tenantId, 'test');
  tokenTenants.add(tenantId);
  return { tenantId, metadata: bearer(token) };
}

/** Deletes the tokens {@link freshTenant} made: one left behind would switch a shared database out of single-tenant mode. */
export async function deleteTenantTokens(server: TestServer): Promise<void> {
  const repo = new TenancyRepository(server.running.db);
  for (const tenant of tokenTenants) await repo.deleteTokensOf(tenant);
  tokenTenants.clear();
}

/** Registers the world's content and posts (in their zones) and streams their records as the tenant. */
export async function loadPlantedWorld(server: TestServer, metadata: Metadata, posts: readonly PlantedPost[]): Promise<number> {
  const m = server.metrics;
  const register = async (post: PlantedPost) => {
    await call(m, m.registerContent, { content: contentOf(post) }, metadata);
    await call(m, m.registerPost, { post: { ...postOf(post), timeZone: post.timeZone } }, metadata);
  };
  for (let i = 0; i < posts.length; i += 32) await Promise.all(posts.slice(i, i + 32).map(register));
  const answer = await clientStreamCall(m, m.streamMetrics, messagesOf(posts.flatMap(recordsOf), 500), metadata);
  return answer.acceptedCount;
}

/** Mean over the planted platforms of Spearman ρ between predictions (in the order of `posts`) and the planted expectation. */
export function withinPlatformRho(posts: readonly PlantedPost[], predicted: readonly number[]): number {
  return mean(
    PLANTED_PLATFORMS.map((platform) => {
      const on = posts.flatMap((p, i) => (p.platform === platform ? [i] : []));
      return spearman(
        on.map((i) => predicted[i]),
        on.map((i) => posts[i].expectedLogViews),
      );
    }),
  );
}
