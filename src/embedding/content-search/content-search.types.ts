// Domain types of SearchContent: sub-queries over several collections (vector and keyword), their per-content
// rankings and the fused answer. No gRPC, no SQL.
import type { CollectionInfo, PointFilter } from '../embedding.types.js';

export const FUSIONS = ['rrf', 'weighted'] as const;
export type FusionName = (typeof FUSIONS)[number];

/** What a vector sub-query searches near: a vector, a stored point, or the mean of a content's points. */
export type ContentTarget = { vector: Float32Array } | { pointId: string } | { contentId: string };

/** A validated vector sub-query. */
export interface VectorSubQuery {
  collection: string;
  target: ContentTarget;
  /** ≥ 0; its share of the fusion. */
  weight: number;
  filter: PointFilter;
  /** Contents it contributes to the fusion, best first. */
  candidates: number;
  /** 0 means the collection's ef_search. */
  efSearch: number;
}

/** A validated keyword sub-query (full-text search over the collection's text fields). */
export interface KeywordSubQuery {
  collection: string;
  /** Web-search syntax, parsed by websearch_to_tsquery. */
  text: string;
  weight: number;
  filter: PointFilter;
  candidates: number;
}

/** A validated SearchContent request. */
export interface ContentSearchQuery {
  subQueries: VectorSubQuery[];
  keyword?: KeywordSubQuery;
  fusion: FusionName;
  /** RRF's constant k. */
  rrfK: number;
  topK: number;
  /** Vector sub-queries scan exactly. */
  exact: boolean;
  /** Every content of the union of candidates is scored in every sub-query before the fusion. */
  rescore: boolean;
}

/** One content in one sub-query's ranking: its best point and that point's raw score (higher is better). */
export interface ContentCandidate {
  contentId: string;
  pointId: string;
  score: number;
}

/** One sub-query's ranking, best first, and the contents its example stands for (left out of the answer). */
export interface SubQueryRanking {
  candidates: ContentCandidate[];
  /** The example's content (a point_id or content_id sub-query), never returned. */
  exampleContentId?: string;
}

/** What one sub-query found for a content; rank 0 (and an empty point id) when it was not among its candidates. */
export interface Evidence {
  pointId: string;
  score: number;
  /** From 1. */
  rank: number;
}

/** A content of the fused answer, with one evidence entry per sub-query (vector sub-queries, then keyword). */
export interface ContentHit {
  contentId: string;
  score: number;
  evidence: Evidence[];
}

/**
 * One sub-query's exact scores of the union's contents (with rescore): each content's best point and its raw score,
 * only for contents that have a (matching) point there. `floor` is what a missing content scores: the lowest score
 * of the union for a vector sub-query ('lowest'), 0 for the keyword (ts_rank_cd of a text that does not match).
 */
export interface RescoredColumn {
  scores: ReadonlyMap<string, { pointId: string; score: number }>;
  floor: 'lowest' | number;
}

/** A vector sub-query as the service planned it: a search grouped by content near `vector`, ids and distances only. */
export interface PlannedVectorRanking {
  collection: CollectionInfo;
  /** The sub-query's vector, or its example's stored vector (a point's, a content's mean). */
  vector: Float32Array;
  filter: PointFilter;
  candidates: number;
  /** 0 means the collection's ef_search. */
  efSearch: number;
  exact: boolean;
  /** The content of its example (a point_id or content_id sub-query), never returned. */
  exampleContentId?: string;
}

/** The keyword sub-query with its collection. */
export interface PlannedKeywordRanking {
  collection: CollectionInfo;
  keyword: KeywordSubQuery;
}

/**
 * One sub-query's ranking as its statement returned it: contents best first, each once with its best point and that
 * point's raw value (a distance for a vector sub-query, ts_rank_cd for the keyword).
 */
export interface RankingAnswer {
  /** False when the statement found its cached collection stale; its rows then mean nothing. */
  fresh: boolean;
  rows: { contentId: string; pointId: string; value: number }[];
}

/** A content's best point in a sub-query (`sub`, in ranking order) as rescore found it, with its raw value. */
export interface RescoredRow {
  sub: number;
  contentId: string;
  pointId: string;
  value: number;
}
