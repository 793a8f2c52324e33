// Maps between the contract's messages (src/gen) and the metrics area's domain types; used by metrics.grpc.ts.
import type { Content as ContentMessage, MetricRecord as MetricRecordMessage, Post as PostMessage } from '../gen/stakazo/ml/v1/metrics.js';
import { platformNumber } from '../domain/platform.js';
import type { PayloadCase } from './families.js';
import type { Content, MetricPayload, MetricRecord, Post } from './metrics.types.js';

// NOTE: the payload cases are named in families.ts (the domain, which must not see generated types); this line
// fails to compile when the contract's oneof and that list differ in either direction.
type ContractPayloadCase = NonNullable<MetricRecordMessage['payload']>['$case'];
const SAME_PAYLOAD_CASES: [PayloadCase, ContractPayloadCase] extends [ContractPayloadCase, PayloadCase] ? true : never = true;
void SAME_PAYLOAD_CASES;

export function contentMessage(c: Content): ContentMessage {
  return {
    contentId: c.contentId,
    durationS: c.durationS,
    features: c.features,
    metadata: c.metadata,
    createTime: c.createdAt,
    updateTime: c.updatedAt,
  };
}

export function postMessage(p: Post): PostMessage {
  return {
    postId: p.postId,
    contentId: p.contentId,
    platform: platformNumber(p.platform),
    account: p.account,
    publishTime: p.publishedAt,
    timeZone: p.timeZone,
    createTime: p.createdAt,
    updateTime: p.updatedAt,
  };
}

/** The payload as the contract's oneof (the value objects are shared, not copied, except for platforms). */
function payloadMessage(payload: MetricPayload): MetricRecordMessage['payload'] {
  switch (payload.family) {
    case 'retention':
      return { $case: 'retention', value: payload.value };
    case 'engagement':
      return { $case: 'engagement', value: payload.value };
    case 'viewer_behavior':
      return { $case: 'viewerBehavior', value: payload.value };
    case 'engine_performance':
      return { $case: 'enginePerformance', value: payload.value };
    case 'satellite_performance':
      return { $case: 'satellitePerformance', value: { ...payload.value, platform: platformNumber(payload.value.platform) } };
    case 'meta_learning_score':
      return { $case: 'metaLearningScore', value: payload.value };
  }
}

export function recordMessage(r: MetricRecord): MetricRecordMessage {
  return { recordId: r.recordId, observeTime: r.observedAt, payload: payloadMessage(r.payload) };
}

/** A stored top performer (camelCase, or snake_case keys of older learning runs; platform as a name or number). */
