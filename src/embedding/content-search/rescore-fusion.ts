// SearchContent with rescore, its pure part: the union of the sub-queries' candidates, what is left to score in
// each sub-query (the union's contents it did not return), and the fusion of every union content's score in every
// sub-query (weighted sum of scores normalised over the union, or RRF over the union ranked by each sub-query). No
// database: the repository reads the scores of what is left, the service scores them, this fuses.
import { extent } from '../../domain/numbers.js';
import type { ContentHit, Evidence, FusionName, RescoredColumn, SubQueryRanking } from './content-search.types.js';

/** The evidence of a sub-query that did not find the content. */
export const NOT_FOUND: Evidence = { pointId: '', score: 0, rank: 0 };

const byContentId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Best score first, ties by content id: the order of every SearchContent answer. */
export function byScoreThenContentId(a: { score: number; contentId: string }, b: { score: number; contentId: string }): number {
  return b.score - a.score || byContentId(a.contentId, b.contentId);
}

/**
 * Every content any sub-query found, once, in order of first appearance, without the examples' contents (a
 * point_id / content_id sub-query's content is never answered). At most the sum of the sub-queries' candidates.
 */
export function unionOfCandidates(rankings: readonly SubQueryRanking[]): string[] {
  const excluded = new Set(rankings.flatMap((r) => (r.exampleContentId === undefined ? [] : [r.exampleContentId])));
  const union = new Set<string>();
  for (const ranking of rankings) for (const c of ranking.candidates) if (!excluded.has(c.contentId)) union.add(c.contentId);
  return [...union];
}

/**
 * One sub-query's part of the rescore: the union's contents it returned among its candidates, with the best point
 * and score its search found them with (`found`), and the union's other contents, which it still has to score
 * (`toScore`, in union order).
 */
export interface RescoreWork {
  found: Map<string, { pointId: string; score: number }>;
  toScore: string[];
}

/**
 * What rescore has left to do in each sub-query (same order as the rankings): only the (content, sub-query) pairs
 * the sub-query did not return. A returned content already carries its best point's score there: its search
 * grouped by content and kept each content's best point (of every matching point for an exact scan or the keyword;
 * of the points the HNSW scan reached otherwise). Contents outside the union (the examples') are left out.
 */
export function rescoreWork(rankings: readonly SubQueryRanking[], union: readonly string[]): RescoreWork[] {
  const inUnion = new Set(union);
  return rankings.map((ranking) => {
    const found = new Map<string, { pointId: string; score: number }>();
    for (const c of ranking.candidates) if (inUnion.has(c.contentId) && !found.has(c.contentId)) found.set(c.contentId, { pointId: c.pointId, score: c.score });
    return { found, toScore: union.filter((contentId) => !found.has(contentId)) };
  });
}

/** One sub-query over the union: per content what it found, its 0..1 normalised score and its rank (missing: the floor). */
interface ScoredColumn {
  /** The content's best point and raw score there; undefined when it has none. */
  found: ({ pointId: string; score: number } | undefined)[];
  normalised: number[];
  /** RRF's rank: 1.. for the contents found (the evidence's rank), the one after the last for every missing one. */
  rrfRank: number[];
}

/**
 * A column over the union. A missing content takes the floor: the lowest score found (vector sub-queries) or the
 * given value (0 for the keyword), so it never scores above a content that has a point; scaled min-max over the
 * union with floors, all equal scaling to 1 for the contents found and 0 for the missing ones.
 */
export function scoreColumn(union: readonly string[], column: RescoredColumn): ScoredColumn {
  const found = union.map((contentId) => column.scores.get(contentId));
  const ranked = found.flatMap((hit, c) => (hit ? [c] : []));
  const floor = column.floor === 'lowest' ? (ranked.length > 0 ? extent(ranked.map((c) => found[c]!.score)).min : 0) : column.floor;
  const values = found.map((hit) => hit?.score ?? floor);
  const { min, max } = extent(values);
  ranked.sort((a, b) => values[b]! - values[a]! || byContentId(union[a]!, union[b]!));
  const rrfRank = union.map(() => ranked.length + 1);
  ranked.forEach((c, i) => {
    rrfRank[c] = i + 1;
  });
  return { found, normalised: values.map((v, c) => (max > min ? (v - min) / (max - min) : found[c] ? 1 : 0)), rrfRank };
}

/**
 * The fused ranking over re-scored columns (one per sub-query, same order as `weights`): the `topK` best contents
 * of the union, best first (ties by content id), each with every sub-query's evidence. Weighted: Σ weight ×
 * normalised / Σ weight. RRF: Σ weight / (k + rank in the union). Evidence is built for the answer only.
 */
export function fuseRescored(
  union: readonly string[],
  columns: readonly RescoredColumn[],
  weights: readonly number[],
  options: { fusion: FusionName; rrfK: number; topK: number },
): ContentHit[] {
  const totalWeight = weights.reduce((sum, w) => sum + w, 0);
  const scored = columns.map((column) => scoreColumn(union, column));
  const scores = union.map((_, c) => {
    let score = 0;
    scored.forEach((column, i) => {
      score += options.fusion === 'rrf' ? weights[i]! / (options.rrfK + column.rrfRank[c]!) : (weights[i]! * column.normalised[c]!) / totalWeight;
    });
    return score;
  });
  const best = union.map((_, c) => c).sort((a, b) => scores[b]! - scores[a]! || byContentId(union[a]!, union[b]!));
  return best.slice(0, options.topK).map((c) => ({
    contentId: union[c]!,
    score: scores[c]!,
    evidence: scored.map((column): Evidence => {
      const hit = column.found[c];
      return hit ? { pointId: hit.pointId, score: hit.score, rank: column.rrfRank[c]! } : NOT_FOUND;
    }),
  }));
}
