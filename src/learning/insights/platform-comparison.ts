// Platform comparison and best performers of a set of posts.
import { mean } from '../math/stats.js';

/** One post's outcomes, for the platform comparison. */
export interface PlatformPost {
  platform: string;
  views: number;
  completionRate: number;
  first3sLoss: number;
  engagementRate: number;
}

/** How one platform did (mirrors the proto's PlatformComparison). */
export interface PlatformComparison {
  platform: string;
  postsCount: number;
  meanViews: number;
  meanCompletionRate: number;
  meanFirst3sLoss: number;
  meanEngagementRate: number;
  /** Mean views of the platform over the mean views of all posts (1 = average). */
  viewsIndex: number;
}

/** Per platform means and views index, highest views index first (ties by name). */
export function comparePlatforms(posts: readonly PlatformPost[]): PlatformComparison[] {
  const overallViews = mean(posts.map((p) => p.views));
  const byPlatform = new Map<string, PlatformPost[]>();
  for (const post of posts) {
    const group = byPlatform.get(post.platform) ?? [];
    group.push(post);
    byPlatform.set(post.platform, group);
  }
  return [...byPlatform]
    .map(([platform, group]) => {
      const meanViews = mean(group.map((p) => p.views));
      return {
        platform,
        postsCount: group.length,
        meanViews,
        meanCompletionRate: mean(group.map((p) => p.completionRate)),
        meanFirst3sLoss: mean(group.map((p) => p.first3sLoss)),
        meanEngagementRate: mean(group.map((p) => p.engagementRate)),
        viewsIndex: overallViews === 0 ? 0 : meanViews / overallViews,
      };
    })
    .sort((a, b) => b.viewsIndex - a.viewsIndex || a.platform.localeCompare(b.platform));
}

/** The `limit` posts with the most views, ties by post id (deterministic). */
export function bestPerformers<T extends { postId: string; views: number }>(posts: readonly T[], limit = 5): T[] {
  return [...posts].sort((a, b) => b.views - a.views || (a.postId < b.postId ? -1 : a.postId > b.postId ? 1 : 0)).slice(0, limit);
}
