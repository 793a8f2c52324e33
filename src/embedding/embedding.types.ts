// Plain domain types of the embedding area, shared by validation, service and repository (no gRPC, no SQL).

export const DISTANCES = ['cosine', 'l2', 'inner_product'] as const;
export type DistanceName = (typeof DISTANCES)[number];

export const PRECISIONS = ['float32', 'float16'] as const;
export type PrecisionName = (typeof PRECISIONS)[number];

export const EMBEDDING_TYPES = ['visual_clip', 'text', 'brand', 'audio', 'style', 'multimodal'] as const;
export type EmbeddingTypeName = (typeof EMBEDDING_TYPES)[number];

export type MetadataUpdateModeName = 'merge' | 'replace';

/** JSON object metadata, as decoded from a protobuf Struct. */
export type Metadata = Record<string, unknown>;

/** What a caller chooses when creating a collection, defaults filled in. */
export interface CollectionSpec {
  name: string;
  embeddingType: EmbeddingTypeName;
  dimension: number;
  distance: DistanceName;
  precision: PrecisionName;
  hnswM: number;
  hnswEfConstruction: number;
  hnswEfSearch: number;
  description: string;
  /**
   * Point count at which the HNSW index is built; 0 = built with the table and maintained from the start;
   * undefined = the service's INDEXING_THRESHOLD.
   */
  indexingThreshold?: number;
  /** Metadata fields a keyword sub-query searches (a generated tsvector column + GIN index); none when unset. */
  textFields?: string[];
  /** Postgres text search configuration of those fields; "simple" when unset. */
  textLanguage?: string;
}

export const INDEX_STATES = ['none', 'building', 'ready'] as const;
export type IndexStateName = (typeof INDEX_STATES)[number];

/** Progress of a running index build, as Postgres reports it. */
export interface IndexBuildProgress {
  phase: string;
  tuplesDone: number;
  tuplesTotal: number;
}

/** A stored collection. */
export interface CollectionInfo extends CollectionSpec {
  /** The table holding its points (`emb_<hash>`). */
  tableName: string;
  indexingThreshold: number;
  textFields: string[];
  textLanguage: string;
  pointCount: number;
  createdAt: Date;
  indexState: IndexStateName;
  /** Only while building, on Postgres, when asked for (GetCollection). */
  indexBuild?: IndexBuildProgress;
  /** The alias the caller named it by, when it was reached through one (searches check the alias still points here). */
  alias?: string;
}

/** A validated point to write. */
export interface PointInput {
  id: string;
  contentId: string;
  vector: Float32Array;
  metadata: Metadata;
}

/** A point read back. */
export interface StoredPoint {
  id: string;
  contentId: string;
  /** Present only when vectors were asked for. */
  vector?: Float32Array;
  metadata: Metadata;
  createdAt: Date;
  updatedAt: Date;
}

/** Conditions a point must meet; unset parts do not restrict. */
export interface PointFilter {
  contentIds: string[];
  createdAfter?: Date;
  createdBefore?: Date;
  metadataContains?: Metadata;
}

/** The options Search and Recommend share: results, filter, index and output. */
export interface SearchOptions {
  topK: number;
  filter: PointFilter;
  /** 0 means the collection's ef_search. */
  efSearch: number;
  exact: boolean;
  groupByContent: boolean;
  withVectors: boolean;
}

/** A validated search. Exactly one of `vector` and `pointId` is set. */
export interface SearchQuery extends SearchOptions {
  collection: string;
  vector?: Float32Array;
  pointId?: string;
  /** Ids never returned (Recommend's examples); searched as a filter, with iterative index scans. */
  excludeIds?: string[];
}

export const RECOMMEND_STRATEGIES = ['average_vector', 'best_score'] as const;
export type RecommendStrategyName = (typeof RECOMMEND_STRATEGIES)[number];

/** How a recommendation searches, as a Search would, never returning its examples. */
export interface RecommendSearch extends SearchOptions {
  /** The example ids, never returned. */
  excludeIds: string[];
}

/** A validated Recommend: at least one positive example (stored point ids and/or vectors). */
export interface RecommendQuery extends SearchOptions {
  collection: string;
  positiveIds: string[];
  negativeIds: string[];
  positiveVectors: Float32Array[];
  negativeVectors: Float32Array[];
  strategy: RecommendStrategyName;
}

/** The example vectors of a recommendation, ids resolved. */
export interface RecommendExamples {
  positive: Float32Array[];
  negative: Float32Array[];
}

export interface ScoredPoint {
  point: StoredPoint;
  /** Similarity, higher is nearer. */
  score: number;
  /** Raw pgvector distance, lower is nearer. */
  distance: number;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
}

/** How a write reached the points table: binary COPY straight into it (bulk), or through a staging table. */
export type PointWritePath = 'bulk_copy' | 'staging';

/** What a write reports besides its counts: whether the collection just reached its indexing threshold, and its path. */
export interface PointWrite extends UpsertCounts {
  indexDue: boolean;
  path: PointWritePath;
}

/** What the embedding area reports to the process's metrics (optional; src/server.ts counts them in /metrics). */
export interface EmbeddingObserver {
  pointsWritten?(path: PointWritePath, count: number): void;
  indexBuildFinished?(outcome: string): void;
}

export interface RejectedPoint {
  index: number;
  id: string;
  reason: string;
}

export interface UpsertStreamResult extends UpsertCounts {
  rejectedCount: number;
  /** The first rejections, with reasons. */
  rejected: RejectedPoint[];
}

/** One message of an upsert stream after per-point validation: each point is valid or carries its reason. */
export interface UpsertStreamChunk {
  collection: string;
  points: ({ ok: true; point: PointInput } | { ok: false; id: string; reason: string })[];
}

/** A second name of a collection. */
export interface AliasInfo {
  alias: string;
  /** The collection it points to. */
  collection: string;
  createdAt: Date;
  /** When it was last pointed at a collection (created or switched). */
  updatedAt: Date;
}
