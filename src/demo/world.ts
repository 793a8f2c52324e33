// A synthetic world with planted truth: content, posts on several platforms, retention curves, engagement and
// content embeddings. Seeded, so every run generates the same world. Used by `stakazo-ml seed-demo` and the tests.
import { Platform } from '../gen/stakazo/ml/v1/common.js';
import type { Content, MetricRecord, Post } from '../gen/stakazo/ml/v1/metrics.js';
import { gaussian, mulberry32 } from '../learning/math/stats.js';
import { euclideanNorm } from '../domain/numbers.js';

export interface WorldOptions {
  prefix: string;
  seed?: number;
  /** Posts per day of publication. */
  postsPerDay: number;
  /** First publication day (UTC, YYYY-MM-DD). */
  startDay: string;
  days: number;
  /** Observe every post on this day (UTC, noon ± minutes); default: 20 hours after publication. */
  observeDay?: string;
  /** IANA zone the planted peak hours are in. */
  timeZone?: string;
}

/** What the generator planted. */
export const PLANTED = {
  /** Share lost in the first 3 s on Instagram (other platforms ≈ 0.25). */
  instagramFirst3sLoss: 0.7,
  otherFirst3sLoss: 0.25,
  /** Videos of 15–30 s complete twice as often. */
  bandCompletion: 0.24,
  otherCompletion: 0.12,
  /** Peak local hour per platform. */
  peakHour: { [Platform.PLATFORM_TIKTOK]: 19, [Platform.PLATFORM_INSTAGRAM]: 12, [Platform.PLATFORM_YOUTUBE]: 21 } as Record<number, number>,
};

export interface WorldPost {
  postId: string;
  contentId: string;
  platform: Platform;
  publishTime: Date;
  durationS: number;
  quality: number;
  aesthetic: number;
  cta: boolean;
  captionLength: number;
  hashtags: number;
  /** The planted expectation of ln(1 + views), before noise. */
  expectedLogViews: number;
  views: number;
  first3sLoss: number;
  completion: number;
  observeTime: Date;
}

const PLATFORMS = [Platform.PLATFORM_TIKTOK, Platform.PLATFORM_INSTAGRAM, Platform.PLATFORM_YOUTUBE];

/** Retention curve: linear loss of `loss` over the first 3 s, then exponential decay to `completion`. */
export function plantedCurve(durationS: number, loss: number, completion: number): number[] {
  return Array.from({ length: 101 }, (_, i) => {
    const t = (i / 100) * durationS;
    if (t <= 3) return 1 - (loss * t) / 3;
    const start = 1 - loss;
    // NOTE: a curve can only fall; when the drawn completion exceeds what survived the intro, it stays flat.
    return start * (Math.min(completion, start) / start) ** ((t - 3) / (durationS - 3));
  });
}

/** Offset of `zone` from UTC at `instant`, in minutes. */
function zoneOffsetMinutes(instant: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - instant.getTime()) / 60_000);
}

/** Generates the world (no I/O). */
export function generateWorld(options: WorldOptions): WorldPost[] {
  const random = mulberry32(options.seed ?? 7);
  const zone = options.timeZone ?? 'UTC';
  const posts: WorldPost[] = [];
  for (let d = 0; d < options.days; d++) {
    const dayStart = new Date(`${options.startDay}T00:00:00Z`).getTime() + d * 86_400_000;
    for (let i = 0; i < options.postsPerDay; i++) {
      const platform = PLATFORMS[Math.floor(random() * PLATFORMS.length)];
      const localHour = Math.floor(random() * 24);
      const approx = new Date(dayStart + localHour * 3_600_000);
      const publishTime = new Date(approx.getTime() - zoneOffsetMinutes(approx, zone) * 60_000 + Math.floor(random() * 50) * 60_000);
      const durationS = 8 + Math.floor(random() * 53);
      const quality = Math.round(random() * 100) / 100;
      const aesthetic = Math.round(random() * 100) / 100;
      const cta = random() < 0.5;
      const inBand = durationS >= 15 && durationS < 30;
      const loss = (platform === Platform.PLATFORM_INSTAGRAM ? PLANTED.instagramFirst3sLoss : PLANTED.otherFirst3sLoss) + gaussian(random) * 0.03;
      const completion = (inBand ? PLANTED.bandCompletion : PLANTED.otherCompletion) * (1 + gaussian(random) * 0.08);
      const hourDistance = Math.min(Math.abs(localHour - PLANTED.peakHour[platform]), 24 - Math.abs(localHour - PLANTED.peakHour[platform]));
      const expectedLogViews =
        7 +
        1.5 * quality +
        0.6 * (cta ? 1 : 0) +
        (hourDistance === 0 ? 0.9 : hourDistance === 1 ? 0.35 : 0) +
        (platform === Platform.PLATFORM_YOUTUBE ? 0.3 : 0);
      const views = Math.round(Math.expm1(expectedLogViews + gaussian(random) * 0.35));
      const postId = `${options.prefix}-p${d}-${i}`;
      const observeTime = options.observeDay
        ? new Date(new Date(`${options.observeDay}T12:00:00Z`).getTime() + Math.floor(random() * 600) * 60_000)
        : new Date(publishTime.getTime() + 20 * 3_600_000);
      posts.push({
        postId,
        contentId: `${postId}-c`,
        platform,
        publishTime,
        durationS,
        quality,
        aesthetic,
        cta,
        captionLength: Math.floor(random() * 200),
        hashtags: Math.floor(random() * 8),
        expectedLogViews,
        views,
        first3sLoss: loss,
        completion,
        observeTime,
      });
    }
  }
  return posts;
}

/** The content item of a post, as RegisterContent takes it. */
export function contentOf(post: WorldPost): Content {
  return {
    contentId: post.contentId,
    durationS: post.durationS,
    features: {
      qualityScore: post.quality,
      aestheticScore: post.aesthetic,
      captionLengthChars: post.captionLength,
      ctaInFirst5s: post.cta,
      hashtagCount: post.hashtags,
    },
    metadata: undefined,
    createTime: undefined,
    updateTime: undefined,
  };
}

/** The post, as RegisterPost takes it. */
export function postOf(post: WorldPost, account = 'sat'): Post {
  return {
    postId: post.postId,
    contentId: post.contentId,
    platform: post.platform,
    account,
    publishTime: post.publishTime,
    timeZone: 'UTC',
    createTime: undefined,
    updateTime: undefined,
  };
}

/** The retention and engagement records of a post. */
export function recordsOf(post: WorldPost): MetricRecord[] {
  const curve = plantedCurve(post.durationS, post.first3sLoss, post.completion);
  const meanRetention = curve.reduce((s, v) => s + v, 0) / curve.length;
  return [
    {
      recordId: `${post.postId}-ret`,
      observeTime: post.observeTime,
      payload: {
        $case: 'retention',
        value: {
          postId: post.postId,
          views: post.views,
          averageViewDurationS: post.durationS * meanRetention,
          completionRate: curve[100],
          rewatchRate: 0.02,
          skipRateFirst3s: post.first3sLoss,
          retentionCurve: curve,
        },
      },
    },
    {
      recordId: `${post.postId}-eng`,
      observeTime: post.observeTime,
      payload: {
        $case: 'engagement',
        value: {
          postId: post.postId,
          likes: Math.round(post.views * 0.06),
          comments: Math.round(post.views * 0.004),
          shares: Math.round(post.views * 0.01),
          saves: Math.round(post.views * 0.008),
          follows: Math.round(post.views * 0.001),
          reach: Math.round(post.views * 0.8),
          impressions: Math.round(post.views * 1.4),
        },
      },
    },
  ];
}

/** The content styles the demo embeddings cluster around (one centroid each). */
export const EMBEDDING_STYLES = ['talking-head', 'tutorial', 'product', 'behind-the-scenes', 'meme', 'vlog'] as const;

/** One embedding per content item: near its style's centroid, unit length. */
export interface WorldEmbedding {
  id: string;
  contentId: string;
  vector: number[];
  metadata: { platform: string; style: string; durationS: number };
}

const unit = (v: number[]) => {
  const norm = euclideanNorm(v) || 1;
  return v.map((x) => x / norm);
};

/** Embeddings of the world's content: `dimension`-d vectors around one random centroid per style. */
export function generateEmbeddings(posts: readonly WorldPost[], dimension: number, seed = 11): WorldEmbedding[] {
  const random = mulberry32(seed);
  const centroids = EMBEDDING_STYLES.map(() => unit(Array.from({ length: dimension }, () => gaussian(random))));
  return posts.map((post) => {
    const styleIndex = Math.floor(random() * EMBEDDING_STYLES.length);
    const vector = unit(centroids[styleIndex].map((x) => x + gaussian(random) * 0.08));
    return {
      id: `${post.contentId}-clip`,
      contentId: post.contentId,
      vector,
      metadata: { platform: Platform[post.platform].replace('PLATFORM_', '').toLowerCase(), style: EMBEDDING_STYLES[styleIndex], durationS: post.durationS },
    };
  });
}
