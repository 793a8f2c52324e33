// The rows of many timing-grid windows from one read of views observations (ViralityRepository.viewsObservations):
// for a window [from, to) of a platform, the posts published in it with the views of their latest observation
// before `to` — the rows BestTimeRepository.timedOutcomes returns for that window, in its order, views only.
import type { PostViewsRow, TimedRow } from './timing.types.js';

/** A post and its views observations, oldest first. */
export interface PostViews {
  publishedAt: Date;
  observedMs: number[];
  views: number[];
}

/** The posts grouped per platform, keeping the read's order (publication, post id). */
export function postsByPlatform(rows: readonly PostViewsRow[]): Map<string, PostViews[]> {
  const byPlatform = new Map<string, PostViews[]>();
  for (const { platform, publishedAt, observedMs, views } of rows) {
    const posts = byPlatform.get(platform);
    const post = { publishedAt, observedMs, views };
    if (posts) posts.push(post);
    else byPlatform.set(platform, [post]);
  }
  return byPlatform;
}

/** First index in `sorted` (ascending) whose value is at least `value`. */
function lowerBound(length: number, valueAt: (i: number) => number, value: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (valueAt(mid) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The posts published in [from, to) that were observed before `to`, with the views of their latest observation then. */
export function viewsInWindow(posts: readonly PostViews[], from: Date, to: Date): TimedRow[] {
  const toMs = to.getTime();
  const rows: TimedRow[] = [];
  for (let i = lowerBound(posts.length, (k) => posts[k]!.publishedAt.getTime(), from.getTime()); i < posts.length; i++) {
    const post = posts[i]!;
    if (post.publishedAt.getTime() >= toMs) break;
    const latest = lowerBound(post.observedMs.length, (k) => post.observedMs[k]!, toMs) - 1;
    if (latest >= 0) rows.push({ publishedAt: post.publishedAt, views: post.views[latest]!, interactions: null });
  }
  return rows;
}
