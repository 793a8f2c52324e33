// Plain data types of the metrics area. The record and content shapes are the contract's own message interfaces
// (type-only imports: no grpc-js and no generated codec at run time outside metrics.grpc.ts).
export type {
  Content,
  EngagementMetrics,
  EnginePerformance,
  MetaLearningScore,
  MetricRecord,
  Post,
  RejectedRecord,
  RetentionMetrics,
  SatellitePerformance,
  ViewerBehavior,
} from '../gen/stakazo/ml/v1/metrics.js';
export type { ContentFeatures, DailySnapshot, TopPerformer } from '../gen/stakazo/ml/v1/common.js';

/** The payload of a metric record: which family and its values. */
export type MetricPayload = NonNullable<import('../gen/stakazo/ml/v1/metrics.js').MetricRecord['payload']>;

/** The case name of a payload, e.g. "retention". */
export type PayloadCase = MetricPayload['$case'];

/** What became of one record of a write. */
export type RecordOutcome = { kind: 'accepted' } | { kind: 'duplicate' } | { kind: 'rejected'; field: string; reason: string };

/** Limits that validation needs (from config). */
export interface MetricsLimits {
  maxBatchSize: number;
  maxMetadataBytes: number;
}
