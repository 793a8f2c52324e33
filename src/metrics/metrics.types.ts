// Plain domain types of the metrics area, shared by validation, services and repositories (no gRPC, no SQL), and
// the ports through which the area asks the areas that own other tables.
import type { DailySnapshot } from '../domain/snapshot.js';
import type { PlatformName } from '../domain/platform.js';
import type { FamilySpec } from './families.js';

export type { FamilyName } from './families.js';

/** JSON object metadata, as decoded from a protobuf Struct. */
export type Metadata = Record<string, unknown>;

export interface ContentFeatures {
  qualityScore: number;
  aestheticScore: number;
  captionLengthChars: number;
  ctaInFirst5s: boolean;
  hashtagCount: number;
}

/** A validated content item to register. */
export interface ContentInput extends ContentFeatures {
  contentId: string;
  durationS: number;
  metadata: Metadata;
}

/** A stored content item. */
export interface Content {
  contentId: string;
  durationS: number;
  features: ContentFeatures;
  metadata: Metadata;
  createdAt: Date;
  updatedAt: Date;
}

/** A validated post to register. */
export interface PostInput {
  postId: string;
  contentId: string;
  platform: PlatformName;
  account: string;
  publishedAt: Date;
  timeZone: string;
}

/** A stored post. */
export interface Post extends PostInput {
  createdAt: Date;
  updatedAt: Date;
}

/** What DeleteContent removed. */
export interface DeletedCounts {
  postsDeletedCount: number;
  recordsDeletedCount: number;
  pointsDeletedCount: number;
}

// The values of each family, one property per column of families.ts (ColumnSpec.property).

export interface RetentionMetrics {
  postId: string;
  views: number;
  averageViewDurationS: number;
  completionRate: number;
  rewatchRate: number;
  skipRateFirst3s: number;
  /** Empty, or 101 fractions still watching at 0 %, 1 %, … 100 % of the video. */
  retentionCurve: number[];
}

export interface EngagementMetrics {
  postId: string;
  likes: number;
  comments: number;
  shares: number;
  saves: number;
  follows: number;
  reach: number;
  impressions: number;
}

export interface ViewerBehavior {
  postId: string;
  trafficSources: Record<string, number>;
  newViewerFraction: number;
  returningViewerFraction: number;
  audienceRegions: Record<string, number>;
  watchTimeDistribution: number[];
}

export interface EnginePerformance {
  engine: string;
  operation: string;
  contentId: string;
  latencyMs: number;
  costUsd: number;
  success: boolean;
  qualityOutputs: Record<string, number>;
  errorMessage: string;
}

export interface SatellitePerformance {
  satelliteAccount: string;
  platform: PlatformName;
  postsCount: number;
  followersGained: number;
  reach: number;
  views: number;
}

export interface MetaLearningScore {
  component: string;
  metric: string;
  score: number;
  context: Metadata;
}

/** The payload of a metric record: its family and that family's values. */
export type MetricPayload =
  | { family: 'retention'; value: RetentionMetrics }
  | { family: 'engagement'; value: EngagementMetrics }
  | { family: 'viewer_behavior'; value: ViewerBehavior }
  | { family: 'engine_performance'; value: EnginePerformance }
  | { family: 'satellite_performance'; value: SatellitePerformance }
  | { family: 'meta_learning_score'; value: MetaLearningScore };

/** A stored metric record. */
export interface MetricRecord {
  recordId: string;
  observedAt: Date;
  payload: MetricPayload;
}

/** A record the edge validated: its family and normalised values. */
export interface ValidRecord {
  /** Position in the request or stream, from 0. */
  index: number;
  recordId: string;
  spec: FamilySpec;
  observedMs: number;
  /** Column values in spec order (see `payloadValues`); platforms as names. */
  values: unknown[];
}

/** A valid record ready to be written: its stored form (binary COPY fields) and payload hash, encoded once by the service. */
export interface PreparedRecord extends ValidRecord {
  /** observe time and values as binary COPY fields, encoded once (see `encodeRecord`). */
  fields: Buffer;
  /** Payload hash (version 2) of `fields`. */
  hash: Buffer;
}

/** A record refused, by its position in the request or stream. */
export interface RejectedRecord {
  index: number;
  recordId: string;
  field: string;
  reason: string;
}

/** Records of a request or of one stream message after per-record validation. */
export interface RecordChunk {
  valid: ValidRecord[];
  rejected: RejectedRecord[];
}

/** What became of one record of a write. */
export type RecordOutcome = { kind: 'accepted' } | { kind: 'duplicate' } | { kind: 'rejected'; field: string; reason: string };

/** What the database did with one record of a write (the repository's facts; the service turns them into outcomes). */
export type StoredRecordResult =
  | { kind: 'written' }
  /** Its post is not registered. */
  | { kind: 'unknown_post' }
  /** Its id is already in the ledger with this payload hash (null: claimed by a writer that rolled back). */
  | { kind: 'id_taken'; storedHash: Uint8Array | null };

/** Counts and detailed rejections of a write. */
export interface WriteSummary {
  acceptedCount: number;
  duplicateCount: number;
  rejectedCount: number;
  rejected: RejectedRecord[];
}

/** Filters of QueryMetrics and ExportMetrics. */
export interface MetricFilter {
  spec: FamilySpec;
  postIds: string[];
  contentIds: string[];
  platform?: PlatformName;
  startTime?: Date;
  endTime?: Date;
  latestOnly: boolean;
}

/** The keyset position after a record: its observation time in µs since the Unix epoch and its record id. */
export interface MetricPageKey {
  observedUs: number;
  recordId: string;
}

/** A record read back with its keyset position. */
export interface KeyedRecord {
  record: MetricRecord;
  key: MetricPageKey;
}

/** Limits that validation needs (from config). */
export interface MetricsLimits {
  maxBatchSize: number;
  maxMetadataBytes: number;
}

export type { DailySnapshot };

/** Port: reads the daily snapshots, which the learning area owns (implemented by LearningService). */
export interface SnapshotReader {
  listSnapshots(tenantId: string, startDay: string, endDay: string, platform?: string): Promise<DailySnapshot[]>;
}

/** Port: deletes a content item's embedding points, which the embedding area owns (implemented by the embedding area's PointService). */
export interface ContentPointsDeleter {
  /** Deletes the points of the content in every collection of the tenant; returns how many. */
  deleteContentPoints(tenantId: string, contentId: string): Promise<number>;
}
