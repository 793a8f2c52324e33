// SearchContent with rescore, its pure part: the union of the sub-queries' candidates, and the fusion of every
// union content's exact score in every sub-query (weighted sum of scores normalised over the union, or RRF over the
// union ranked by each sub-query). No database: the repository scores the union, this fuses.
import { extent } from '../domain/numbers.js';
import type { ContentHit, Evidence, FusionName, RescoredColumn, SubQueryRanking } from './content-search.types.js';

/** The evidence of a sub-query that did not find the content. */
export const NOT_FOUND: Evidence = { pointId: '', score: 0, rank: 0 };

/** Best score first, ties by content id: the order of every SearchContent answer. */
export function byScoreThenContentId(a: { score: number; contentId: string }, b: { score: number; contentId: string }): number {
  return b.score - a.score || (a.contentId < b.contentId ? -1 : a.contentId > b.contentId ? 1 : 0);
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

/** One sub-query over the union: per content its evidence, its 0..1 normalised score and its rank (missing: the floor). */
interface ScoredColumn {
  evidence: Evidence[];
  normalised: number[];
  /** RRF's rank: 1.. for the contents found, the one after the last for every missing content. */
  rrfRank: number[];
}

/**
 * A column over the union. A missing content takes the floor: the lowest score found (vector sub-queries) or the
 * given value (0 for the keyword), so it never scores above a content that has a point; scaled min-max over the
 * union with floors, all equal scaling to 1 for the contents found and 0 for the missing ones.
 */
export function scoreColumn(union: readonly string[], column: RescoredColumn): ScoredColumn {
  const found = union.flatMap((contentId) => {
    const hit = column.scores.get(contentId);
    return hit ? [{ contentId, ...hit }] : [];
  });
  const floor = column.floor === 'lowest' ? (found.length > 0 ? extent(found.map((f) => f.score)).min : 0) : column.floor;
  const values = union.map((contentId) => column.scores.get(contentId)?.score ?? floor);
  const { min, max } = extent(values);
  const rankOf = new Map(found.sort(byScoreThenContentId).map((f, i) => [f.contentId, i + 1]));
  return {
    evidence: union.map((contentId) => {
      const hit = column.scores.get(contentId);
      return hit ? { pointId: hit.pointId, score: hit.score, rank: rankOf.get(contentId)! } : NOT_FOUND;
    }),
    normalised: union.map((contentId, i) => {
      if (max > min) return (values[i]! - min) / (max - min);
      return column.scores.has(contentId) ? 1 : 0;
    }),
    rrfRank: union.map((contentId) => rankOf.get(contentId) ?? found.length + 1),
  };
}

/**
 * The fused ranking over re-scored columns (one per sub-query, same order as `weights`): the `topK` best contents
 * of the union, best first (ties by content id), each with every sub-query's evidence. Weighted: Σ weight ×
 * normalised / Σ weight. RRF: Σ weight / (k + rank in the union).
 */
export function fuseRescored(
  union: readonly string[],
  columns: readonly RescoredColumn[],
  weights: readonly number[],
  options: { fusion: FusionName; rrfK: number; topK: number },
): ContentHit[] {
  const totalWeight = weights.reduce((sum, w) => sum + w, 0);
  const scored = columns.map((column) => scoreColumn(union, column));
  const hits = union.map((contentId, c) => {
    let score = 0;
    scored.forEach((column, i) => {
      score += options.fusion === 'rrf' ? weights[i]! / (options.rrfK + column.rrfRank[c]!) : (weights[i]! * column.normalised[c]!) / totalWeight;
    });
    return { contentId, score, evidence: scored.map((column) => column.evidence[c]!) };
  });
  return hits.sort(byScoreThenContentId).slice(0, options.topK);
}
