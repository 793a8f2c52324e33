// Validation of MetricsService requests and of single metric records (pure, no database).
import { expect } from 'chai';
import { prepared } from '../../src/metrics/ingest/record-hash.js';
import { isRejection, validateRecord } from '../../src/metrics/ingest/record.validate.js';
import type { MetricRecord } from '../../src/gen/stakazo/ml/v1/metrics.js';
import type { RejectedRecord } from '../../src/metrics/metrics.types.js';
import {
  validateExportMetrics,
  validateListDailySnapshots,
  validateListPosts,
  validateQueryMetrics,
  validateRecordMetrics,
  validateRegisterContent,
  validateRegisterPost,
} from '../../src/metrics/metrics.validate.js';
import { fieldOf } from '../helpers/app-errors.js';

const LIMITS = { maxBatchSize: 1000, maxMetadataBytes: 1024 };
const NOW = Date.UTC(2026, 5, 1);
const curve = () => Array.from({ length: 101 }, (_, i) => 1 - i / 100);

function retention(patch: object = {}, recordPatch: Partial<MetricRecord> = {}): MetricRecord {
  return {
    recordId: 'r1',
    observeTime: new Date(NOW - 1000),
    payload: {
      $case: 'retention',
      value: { postId: 'p1', views: 10, averageViewDurationS: 3, completionRate: 0.5, rewatchRate: 0, skipRateFirst3s: 0.2, retentionCurve: curve(), ...patch },
    },
    ...recordPatch,
  };
}

function rejection(record: MetricRecord): RejectedRecord {
  const result = validateRecord(record, 4, NOW, LIMITS);
  if (!isRejection(result)) throw new Error('expected a rejection');
  expect(result.index).to.equal(4);
  return result;
}

describe('metrics record validation', () => {
  it('validates a record into its family and values; the service encodes it with a 32-byte hash', () => {
    const result = validateRecord(retention(), 0, NOW, LIMITS);
    if (isRejection(result)) throw new Error(result.reason);
    expect(result.spec.table).to.equal('retention_metrics');
    expect(result.values[0]).to.equal('p1');
    expect(result).not.to.have.property('hash');
    expect(prepared(result).hash).to.have.length(32);
  });

  it('accepts an empty retention curve, a flat one and float noise within 1e-6', () => {
    for (const retentionCurve of [[], Array(101).fill(0.5), curve().map((v, i) => (i === 50 ? v + 5e-7 + 0.01 : v))]) {
      expect(isRejection(validateRecord(retention({ retentionCurve }), 0, NOW, LIMITS)), JSON.stringify(retentionCurve.slice(48, 52))).to.equal(false);
    }
  });

  it('accepts observe_time up to 5 minutes ahead and rejects beyond', () => {
    expect(isRejection(validateRecord(retention({}, { observeTime: new Date(NOW + 4 * 60_000) }), 0, NOW, LIMITS))).to.equal(false);
    expect(rejection(retention({}, { observeTime: new Date(NOW + 6 * 60_000) })).field).to.equal('observe_time');
  });

  it('rejects observe_time before 2000-01-01 (PGlite misreads years 1–99; Timestamps end at 9999)', () => {
    expect(isRejection(validateRecord(retention({}, { observeTime: new Date('2000-01-01T00:00:00Z') }), 0, NOW, LIMITS))).to.equal(false);
    for (const observeTime of [new Date('1999-12-31T23:59:59Z'), new Date('0031-01-01T00:00:00Z'), new Date('0001-06-15T00:00:00Z')]) {
      expect(rejection(retention({}, { observeTime })).reason).to.match(/observe_time .* is before 2000-01-01/);
    }
  });

  const cases: Array<[string, MetricRecord, string]> = [
    ['empty record id', retention({}, { recordId: '' }), 'record_id'],
    ['257-character record id', retention({}, { recordId: 'x'.repeat(257) }), 'record_id'],
    ['missing observe time', retention({}, { observeTime: undefined }), 'observe_time'],
    ['missing payload', retention({}, { payload: undefined }), 'payload'],
    ['completion rate 1.01', retention({ completionRate: 1.01 }), 'retention.completion_rate'],
    ['negative rewatch rate', retention({ rewatchRate: -0.01 }), 'retention.rewatch_rate'],
    ['NaN skip rate', retention({ skipRateFirst3s: NaN }), 'retention.skip_rate_first_3s'],
    ['fractional views', retention({ views: 1.5 }), 'retention.views'],
    ['negative views', retention({ views: -1 }), 'retention.views'],
    ['views beyond 2^53', retention({ views: 2 ** 60 }), 'retention.views'],
    ['100-value curve', retention({ retentionCurve: curve().slice(1) }), 'retention.retention_curve'],
    ['increasing curve', retention({ retentionCurve: curve().map((v, i) => (i === 30 ? v + 0.02 : v)) }), 'retention.retention_curve'],
    ['curve above 1', retention({ retentionCurve: Array(101).fill(1.2) }), 'retention.retention_curve'],
    ['post id too long', retention({ postId: 'p'.repeat(300) }), 'retention.post_id'],
    ['post id with a NUL', retention({ postId: 'p\u0000' }), 'retention.post_id'],
    ['duration beyond 1e15', retention({ averageViewDurationS: 1e308 }), 'retention.average_view_duration_s'],
  ];
  for (const [what, record, field] of cases) {
    it(`rejects ${what} (${field})`, () => {
      const r = rejection(record);
      expect(r.field).to.equal(field);
      expect(r.reason).to.contain(field === 'payload' ? 'payload' : field.split('.').pop()!);
    });
  }

  it('rejects maps that break their rules and oversized structs', () => {
    const behavior = (patch: object): MetricRecord => ({
      recordId: 'v',
      observeTime: new Date(NOW),
      payload: {
        $case: 'viewerBehavior',
        value: { postId: 'p', trafficSources: {}, newViewerFraction: 0, returningViewerFraction: 0, audienceRegions: {}, watchTimeDistribution: [], ...patch },
      },
    });
    expect(rejection(behavior({ audienceRegions: { ES: 1.5 } })).field).to.equal('viewer_behavior.audience_regions');
    expect(rejection(behavior({ trafficSources: { '': 0.1 } })).field).to.equal('viewer_behavior.traffic_sources');
    expect(rejection(behavior({ newViewerFraction: 2 })).field).to.equal('viewer_behavior.new_viewer_fraction');
    const score: MetricRecord = {
      recordId: 's',
      observeTime: new Date(NOW),
      payload: { $case: 'metaLearningScore', value: { component: 'c', metric: 'm', score: 1, context: { blob: 'x'.repeat(2000) } } },
    };
    expect(rejection(score).field).to.equal('meta_learning_score.context');
  });
});

describe('metrics request validation', () => {
  const contentBase = { contentId: 'c', durationS: 1, features: undefined, metadata: undefined, createTime: undefined, updateTime: undefined };
  const postBase = {
    postId: 'p',
    contentId: 'c',
    platform: 1,
    account: '',
    publishTime: new Date('2026-01-01T10:00:00Z'),
    timeZone: '',
    createTime: undefined,
    updateTime: undefined,
  };
  const queryBase = {
    family: 1,
    postIds: [],
    contentIds: [],
    platform: 0,
    startTime: undefined,
    endTime: undefined,
    latestOnly: false,
    pageSize: 0,
    pageToken: '',
  };

  it('fills defaults: features 0, metadata {}, time zone UTC, page sizes 100 and 500', () => {
    expect(validateRegisterContent(contentBase, LIMITS)).to.deep.include({ qualityScore: 0, hashtagCount: 0, metadata: {} });
    expect(validateRegisterPost(postBase)).to.deep.include({ platform: 'tiktok', timeZone: 'UTC' });
    expect(validateListPosts({ contentId: '', platform: 0, pageSize: 0, pageToken: '' })).to.deep.include({
      pageSize: 100,
      contentId: undefined,
      platform: undefined,
    });
    expect(validateQueryMetrics(queryBase).pageSize).to.equal(500);
  });

  it('names the field of bad content and posts', () => {
    expect(fieldOf(() => validateRegisterContent({ ...contentBase, durationS: -1 }, LIMITS))).to.equal('content.duration_s');
    expect(fieldOf(() => validateRegisterContent({ ...contentBase, metadata: { x: 'y'.repeat(2000) } }, LIMITS))).to.equal('content.metadata');
    expect(fieldOf(() => validateRegisterPost({ ...postBase, platform: 0 }))).to.equal('post.platform');
    expect(fieldOf(() => validateRegisterPost({ ...postBase, timeZone: 'Nowhere/Land' }))).to.equal('post.time_zone');
    expect(fieldOf(() => validateRegisterPost({ ...postBase, account: 'a'.repeat(257) }))).to.equal('post.account');
    expect(fieldOf(() => validateRegisterContent({ ...contentBase, contentId: 'a\u0000b' }, LIMITS))).to.equal('content.content_id');
    // NaN and Infinity have no JSON form: they were stored as null without a word.
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(fieldOf(() => validateRegisterContent({ ...contentBase, metadata: { a: { b: [1, bad] } } }, LIMITS))).to.equal('content.metadata');
    }
    expect(() => validateRegisterContent({ ...contentBase, metadata: { a: { b: [1, Number.NaN] } } }, LIMITS)).to.throw(/not finite .* at a\.b\[1\]/);
    expect(validateRegisterContent({ ...contentBase, metadata: { a: null, b: 1.5 } }, LIMITS).metadata).to.deep.equal({ a: null, b: 1.5 });
  });

  it('accepts publish times from 2000-01-01 to a year ahead, the same on both back-ends', () => {
    expect(validateRegisterPost({ ...postBase, publishTime: new Date('2000-01-01T00:00:00Z') }).publishedAt.toISOString()).to.equal('2000-01-01T00:00:00.000Z');
    for (const publishTime of [
      new Date('1999-12-31T23:59:59Z'),
      new Date('0031-06-15T00:00:00Z'),
      new Date(Date.now() + 400 * 86_400_000),
      new Date(Number.NaN),
    ]) {
      expect(fieldOf(() => validateRegisterPost({ ...postBase, publishTime }))).to.equal('post.publish_time');
    }
  });

  it('limits a RecordMetrics batch to LIMIT_MAX_BATCH_SIZE', () => {
    expect(() => validateRecordMetrics({ records: Array(1000) }, LIMITS)).not.to.throw();
    expect(fieldOf(() => validateRecordMetrics({ records: Array(1001) }, LIMITS))).to.equal('records');
  });

  it('checks that query filters apply to the family', () => {
    expect(validateQueryMetrics({ ...queryBase, family: 4, contentIds: ['c'] }).filter.spec.name).to.equal('engine_performance');
    expect(validateQueryMetrics({ ...queryBase, family: 5, platform: 2 }).filter.platform).to.equal('instagram');
    expect(fieldOf(() => validateQueryMetrics({ ...queryBase, family: 0 }))).to.equal('family');
    expect(fieldOf(() => validateQueryMetrics({ ...queryBase, family: 5, contentIds: ['c'] }))).to.equal('content_ids');
    expect(fieldOf(() => validateQueryMetrics({ ...queryBase, family: 4, postIds: ['p'] }))).to.equal('post_ids');
    expect(fieldOf(() => validateQueryMetrics({ ...queryBase, pageSize: 5001 }))).to.equal('page_size');
    expect(fieldOf(() => validateExportMetrics({ family: 6, startTime: undefined, endTime: undefined, platform: 1 }))).to.equal('platform');
    expect(fieldOf(() => validateExportMetrics({ family: 1, startTime: new Date(5), endTime: new Date(5), platform: 0 }))).to.equal('end_time');
  });

  it('checks snapshot day ranges: real days, in order, at most 366 days', () => {
    expect(validateListDailySnapshots({ startDay: '2024-01-01', endDay: '2025-01-01', platform: 0 })).to.deep.equal({
      startDay: '2024-01-01',
      endDay: '2025-01-01',
      platform: undefined,
    });
    expect(fieldOf(() => validateListDailySnapshots({ startDay: '2024-1-01', endDay: '2024-01-02', platform: 0 }))).to.equal('start_day');
    expect(fieldOf(() => validateListDailySnapshots({ startDay: '2023-02-28', endDay: '2023-02-29', platform: 0 }))).to.equal('end_day');
    expect(fieldOf(() => validateListDailySnapshots({ startDay: '2024-01-01', endDay: '2025-01-03', platform: 0 }))).to.equal('end_day');
  });
});
