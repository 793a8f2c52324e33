// Types of the search path between the search services and their repositories: what a call reads before it
// searches, what it plans, and what each statement answers. No gRPC, no SQL.
import type { CollectionInfo, SearchOptions, StoredPoint } from '../embedding.types.js';

/** The stored vectors a call searches from, in one collection: points by id, and the mean of contents' points. */
export interface StoredVectorLookup {
  pointIds: readonly string[];
  contentIds: readonly string[];
}

/** What a call reads before it searches: the collection names it uses and the stored vectors it starts from. */
export interface QueryInputRequest {
  tenantId: string;
  /** Collection names or aliases. */
  names: readonly string[];
  /** By the same names. */
  lookups: ReadonlyMap<string, StoredVectorLookup>;
}

/** A stored point's vector and the content it belongs to. */
export interface StoredVector {
  vector: Float32Array;
  contentId: string;
}

/**
 * What a call searches with: its collections by the names it used (a name or an alias), the stored vectors it asked
 * for by the same names, and whether cached collections still match the registry (`fresh`; always true for
 * collections just read from it).
 */
export interface QueryInputs {
  collections: ReadonlyMap<string, CollectionInfo>;
  /** By collection name, then point id; an unknown id is absent. */
  points: ReadonlyMap<string, ReadonlyMap<string, StoredVector>>;
  /** By collection name, then content id; a content without a point there is absent. */
  contentMeans: ReadonlyMap<string, ReadonlyMap<string, Float32Array>>;
  fresh: boolean;
}

/** One search as the service planned it, ready to run. */
export interface PlannedSearch {
  collection: CollectionInfo;
  options: SearchOptions & { excludeIds?: readonly string[] };
  /** The vector it searches near: the caller's, or the stored vector of the point it starts from. */
  vector: Float32Array;
  /** The point a more-like-this search starts from, never returned. */
  excludeId?: string;
  /** A filter or exclusions apply: the index scan is iterative, so it still finds top_k. */
  filtered: boolean;
}

/** The nearest points one search statement found, with their raw pgvector distance (lower is nearer). */
export interface SearchAnswer {
  /** False when the statement found its cached collection stale; its hits then mean nothing. */
  fresh: boolean;
  hits: { point: StoredPoint; distance: number }[];
}
