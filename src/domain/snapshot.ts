// The daily snapshot: one (day, platform) aggregate built by the learning run. Learning owns daily_snapshots and is
// its one reader; the metrics area's ListDailySnapshots reads through it, so both speak this one shape.

/** One of a snapshot's best posts of the day. */
export interface TopPerformer {
  postId: string;
  contentId: string;
  /** The platform's name (src/domain/platform.ts). */
  platform: string;
  views: number;
  engagementRate: number;
  completionRate: number;
}

/** A (day, platform) aggregate; `day` is YYYY-MM-DD (UTC), `platform` a name. */
export interface DailySnapshot {
  day: string;
  platform: string;
  postsCount: number;
  views: number;
  averageRetention: number;
  completionRate: number;
  engagementRate: number;
  savesRate: number;
  sharesRate: number;
  first3sLoss: number;
  topPerformers: TopPerformer[];
  builtAt: Date;
}

/**
 * A top performer as stored in the snapshot's JSON: camelCase keys as the learning run writes them, or snake_case
 * as older runs did; the platform a name or, from older runs, the contract's enum number.
 */
export function topPerformerOf(stored: Readonly<Record<string, unknown>>, platformOfNumber: (n: number) => string | undefined): TopPerformer {
  const pick = (snake: string, camel: string) => stored[snake] ?? stored[camel];
  const platform = stored.platform;
  return {
    postId: String(pick('post_id', 'postId') ?? ''),
    contentId: String(pick('content_id', 'contentId') ?? ''),
    platform: typeof platform === 'number' ? (platformOfNumber(platform) ?? '') : String(platform ?? ''),
    views: Number(stored.views ?? 0),
    engagementRate: Number(pick('engagement_rate', 'engagementRate') ?? 0),
    completionRate: Number(pick('completion_rate', 'completionRate') ?? 0),
  };
}
