// SearchContent's fusion of rankings: per-sub-query rankings of contents fused into one ranking (reciprocal rank
// fusion or a weighted mean of normalised scores) with the evidence of each sub-query. Pure: the service fetches.
import type { ContentCandidate, ContentHit, FusionName, SubQueryRanking } from './content-search.types.js';
import { extent } from '../../domain/numbers.js';
import { byScoreThenContentId, NOT_FOUND } from './rescore-fusion.js';

/** RRF's constant k when the request leaves it unset (Cormack et al.; Qdrant and Elasticsearch use it too). */
export const DEFAULT_RRF_K = 60;
/** Most vector sub-queries per SearchContent (the keyword sub-query comes on top). */
export const MAX_SUB_QUERIES = 10;

/** A sub-query's candidates without the excluded contents, ranks closing up (each content once, first kept). */
function withoutExcluded(candidates: readonly ContentCandidate[], excluded: ReadonlySet<string>): ContentCandidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    if (excluded.has(c.contentId) || seen.has(c.contentId)) return false;
    seen.add(c.contentId);
    return true;
  });
}

/**
 * Each candidate's score scaled to 0..1 within its ranking: best 1, worst 0; all 1 when the scores are equal (a
 * single candidate, or ties), so a sub-query that cannot tell its candidates apart gives each its full weight.
 */
export function normalisedScores(candidates: readonly ContentCandidate[]): number[] {
  if (candidates.length === 0) return [];
  const scores = candidates.map((c) => c.score);
  const { min, max } = extent(scores);
  return scores.map((s) => (max > min ? (s - min) / (max - min) : 1));
}

/**
 * The fused ranking: the `topK` best contents, best first (ties by content id), each with one evidence entry per
 * ranking. RRF: Σ weight / (k + rank). Weighted: Σ weight × normalised score / Σ weight, missing counting 0.
 * Contents of the examples (point_id / content_id sub-queries) are left out of every ranking before ranks are
 * counted.
 */
export function fuseRankings(
  rankings: readonly SubQueryRanking[],
  weights: readonly number[],
  options: { fusion: FusionName; rrfK: number; topK: number },
): ContentHit[] {
  const excluded = new Set(rankings.flatMap((r) => (r.exampleContentId === undefined ? [] : [r.exampleContentId])));
  const totalWeight = weights.reduce((sum, w) => sum + w, 0);
  const hits = new Map<string, ContentHit>();
  rankings.forEach((ranking, i) => {
    const candidates = withoutExcluded(ranking.candidates, excluded);
    const normalised = options.fusion === 'weighted' ? normalisedScores(candidates) : [];
    candidates.forEach((candidate, at) => {
      let hit = hits.get(candidate.contentId);
      if (!hit) {
        hit = { contentId: candidate.contentId, score: 0, evidence: rankings.map(() => NOT_FOUND) };
        hits.set(candidate.contentId, hit);
      }
      const rank = at + 1;
      hit.evidence[i] = { pointId: candidate.pointId, score: candidate.score, rank };
      hit.score += options.fusion === 'rrf' ? weights[i]! / (options.rrfK + rank) : (weights[i]! * normalised[at]!) / totalWeight;
    });
  });
  return [...hits.values()].sort(byScoreThenContentId).slice(0, options.topK);
}
