// The six metric families described once: table, columns, storage type and validation rule of each value, so
// validation, hashing, COPY staging, queries and decoding share one code path instead of six copies. Plain data,
// shared by the domain, the edge (validation, mapping) and the repositories.

/** The name of a family: the discriminant of a metric payload, metric_records.family, the prefix of rejected fields. */
export type FamilyName = 'retention' | 'engagement' | 'viewer_behavior' | 'engine_performance' | 'satellite_performance' | 'meta_learning_score';

/** How a value is stored (and staged for binary COPY). `platform` is a platform name (domain/platform.ts), stored as text. */
export type ColumnType = 'text' | 'int8' | 'float8' | 'bool' | 'jsonb' | 'float4[]' | 'platform';

/** What a valid value looks like; see metrics.validate.ts. */
export type Rule =
  | 'id' // 1..256 characters
  | 'optionalId' // 0..256 characters
  | 'message' // 0..4096 characters
  | 'count' // whole number ≥ 0
  | 'rate' // 0..1
  | 'nonNegative' // finite ≥ 0
  | 'finite'
  | 'retentionCurve' // empty or 101 values in 0..1, never increasing
  | 'tenths' // empty or 10 values in 0..1
  | 'fractionMap' // name → 0..1, sum ≤ 1
  | 'numberMap' // name → finite number
  | 'struct' // JSON object within the metadata size limit
  | 'platform' // a known platform
  | 'any';

/** One stored value of a family: the table column is also the contract's field name (snake_case). */
export interface ColumnSpec {
  column: string;
  /** The property of the domain payload value (metrics.types.ts, camelCase). */
  property: string;
  type: ColumnType;
  rule: Rule;
}

/** One metric family. */
export interface FamilySpec {
  /** The MetricFamily enum value. */
  family: number;
  /** The oneof field name in the contract (prefix of rejected field names) and metric_records.family. */
  name: FamilyName;
  table: string;
  columns: readonly ColumnSpec[];
  /** Post families: rows belong to a registered post (first column post_id). */
  postKeyed: boolean;
  /** Columns that identify "the same series" for latest_only. */
  latestKey: readonly string[];
  /** Column holding a content id directly (engine performance), if any. */
  contentColumn?: string;
  /** Column holding a platform directly (satellite performance), if any. */
  platformColumn?: string;
}

const col = (column: string, property: string, type: ColumnType, rule: Rule): ColumnSpec => ({ column, property, type, rule });
const postId = col('post_id', 'postId', 'text', 'id');

export const FAMILIES: readonly FamilySpec[] = [
  {
    family: 1,
    name: 'retention',
    table: 'retention_metrics',
    postKeyed: true,
    latestKey: ['post_id'],
    columns: [
      postId,
      col('views', 'views', 'int8', 'count'),
      col('average_view_duration_s', 'averageViewDurationS', 'float8', 'nonNegative'),
      col('completion_rate', 'completionRate', 'float8', 'rate'),
      col('rewatch_rate', 'rewatchRate', 'float8', 'rate'),
      col('skip_rate_first_3s', 'skipRateFirst3s', 'float8', 'rate'),
      col('retention_curve', 'retentionCurve', 'float4[]', 'retentionCurve'),
    ],
  },
  {
    family: 2,
    name: 'engagement',
    table: 'engagement_metrics',
    postKeyed: true,
    latestKey: ['post_id'],
    columns: [postId, ...['likes', 'comments', 'shares', 'saves', 'follows', 'reach', 'impressions'].map((c) => col(c, c, 'int8', 'count'))],
  },
  {
    family: 3,
    name: 'viewer_behavior',
    table: 'viewer_behavior',
    postKeyed: true,
    latestKey: ['post_id'],
    columns: [
      postId,
      col('traffic_sources', 'trafficSources', 'jsonb', 'fractionMap'),
      col('new_viewer_fraction', 'newViewerFraction', 'float8', 'rate'),
      col('returning_viewer_fraction', 'returningViewerFraction', 'float8', 'rate'),
      col('audience_regions', 'audienceRegions', 'jsonb', 'fractionMap'),
      col('watch_time_distribution', 'watchTimeDistribution', 'float4[]', 'tenths'),
    ],
  },
  {
    family: 4,
    name: 'engine_performance',
    table: 'engine_performance',
    postKeyed: false,
    latestKey: ['engine', 'operation'],
    contentColumn: 'content_id',
    columns: [
      col('engine', 'engine', 'text', 'id'),
      col('operation', 'operation', 'text', 'id'),
      col('content_id', 'contentId', 'text', 'optionalId'),
      col('latency_ms', 'latencyMs', 'float8', 'nonNegative'),
      col('cost_usd', 'costUsd', 'float8', 'nonNegative'),
      col('success', 'success', 'bool', 'any'),
      col('quality_outputs', 'qualityOutputs', 'jsonb', 'numberMap'),
      col('error_message', 'errorMessage', 'text', 'message'),
    ],
  },
  {
    family: 5,
    name: 'satellite_performance',
    table: 'satellite_performance',
    postKeyed: false,
    latestKey: ['satellite_account', 'platform'],
    platformColumn: 'platform',
    columns: [
      col('satellite_account', 'satelliteAccount', 'text', 'id'),
      col('platform', 'platform', 'platform', 'platform'),
      col('posts_count', 'postsCount', 'int8', 'count'),
      col('followers_gained', 'followersGained', 'int8', 'count'),
      col('reach', 'reach', 'int8', 'count'),
      col('views', 'views', 'int8', 'count'),
    ],
  },
  {
    family: 6,
    name: 'meta_learning_score',
    table: 'meta_learning_scores',
    postKeyed: false,
    latestKey: ['component', 'metric'],
    columns: [
      col('component', 'component', 'text', 'id'),
      col('metric', 'metric', 'text', 'id'),
      col('score', 'score', 'float8', 'finite'),
      col('context', 'context', 'jsonb', 'struct'),
    ],
  },
];

const BY_NAME = new Map(FAMILIES.map((f) => [f.name, f]));
const BY_NUMBER = new Map(FAMILIES.map((f) => [f.family, f]));

/** The family of a name. */
export function familyOfName(name: FamilyName): FamilySpec {
  return BY_NAME.get(name)!;
}

/** The oneof case of MetricRecord.payload, e.g. "viewerBehavior" (metrics.mapper.ts checks it against the contract). */
export type PayloadCase = 'retention' | 'engagement' | 'viewerBehavior' | 'enginePerformance' | 'satellitePerformance' | 'metaLearningScore';

const FAMILY_OF_CASE: Record<PayloadCase, FamilyName> = {
  retention: 'retention',
  engagement: 'engagement',
  viewerBehavior: 'viewer_behavior',
  enginePerformance: 'engine_performance',
  satellitePerformance: 'satellite_performance',
  metaLearningScore: 'meta_learning_score',
};

/** The family of a payload case of the contract. */
export function familyOfCase(payloadCase: PayloadCase): FamilySpec {
  return familyOfName(FAMILY_OF_CASE[payloadCase]);
}

/** The family of a MetricFamily enum value, or undefined when unspecified or unknown. */
export function familyOfNumber(family: number): FamilySpec | undefined {
  return BY_NUMBER.get(family);
}

/**
 * The values of a payload value object in column order: missing texts become '', missing maps and structs {},
 * missing arrays []. Arrays are not copied: the float32 rounding of real[] columns happens when they are encoded.
 */
export function payloadValues(spec: FamilySpec, value: object): unknown[] {
  const properties = value as Record<string, unknown>;
  return spec.columns.map((c) => normalize(c.type, properties[c.property]));
}

function normalize(type: ColumnType, raw: unknown): unknown {
  switch (type) {
    case 'text':
      return raw ?? '';
    case 'jsonb':
      return raw ?? {};
    case 'float4[]':
      return Array.isArray(raw) ? raw : [];
    default:
      return raw;
  }
}

/** The SQL type of a column type. */
export function sqlType(type: ColumnType): string {
  switch (type) {
    case 'text':
    case 'platform':
      return 'text';
    case 'int8':
      return 'bigint';
    case 'float8':
      return 'double precision';
    case 'bool':
      return 'boolean';
    case 'jsonb':
      return 'jsonb';
    case 'float4[]':
      return 'real[]';
  }
}
