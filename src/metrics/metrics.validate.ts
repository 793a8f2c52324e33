// Validation of MetricsService requests, one function per request type: bad input → INVALID_ARGUMENT naming the field.
import { MAX_PLAN_AHEAD_MS, timeProblem, timestampProblem } from '../domain/time.js';
import { isValidTimeZone } from '../domain/time-zone.js';
import { pageSizeOf } from '../domain/paging.js';
import { invalidArgument } from '../errors.js';
import { familyOfNumber, type FamilySpec } from './families.js';
import type { ContentInput, MetricFilter, MetricsLimits, PostInput } from './metrics.types.js';
import { platformName, type PlatformName } from '../domain/platform.js';
import { idProblem, rateProblem, structProblem } from './ingest/record.validate.js';

const DEFAULT_LIST_PAGE_SIZE = 100;
const MAX_LIST_PAGE_SIZE = 1000;
const DEFAULT_QUERY_PAGE_SIZE = 500;
const MAX_QUERY_PAGE_SIZE = 5000;
const MAX_FILTER_IDS = 1000;
const MAX_SNAPSHOT_DAYS = 366;
const DAY_MS = 86_400_000;

function requireId(value: string, field: string): string {
  const problem = idProblem(value);
  if (problem) throw invalidArgument(`${field} ${problem}`, field);
  return value;
}

function optionalPlatform(value: number, field = 'platform'): PlatformName | undefined {
  if (value === 0) return undefined;
  const name = platformName(value);
  if (!name) throw invalidArgument(`${field} ${value} is not a known platform`, field);
  return name;
}

/** The largest value of a Postgres `integer` column (content features are stored as such). */
const MAX_INTEGER_COLUMN = 2_147_483_647;
/** The longest content accepted: a week. NOTE: the learned model squares durations; absurd ones would overflow it. */
export const MAX_DURATION_S = 7 * 86_400;

function wholeNumber(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_INTEGER_COLUMN) {
    throw invalidArgument(`${field} is ${value}; must be a whole number in 0..${MAX_INTEGER_COLUMN}`, field);
  }
  return value;
}

/** What RegisterContent's validation reads (the contract's Content message fits it; src/gen stays in the transport). */
export interface ContentRequest {
  contentId: string;
  durationS: number;
  features?: { qualityScore: number; aestheticScore: number; captionLengthChars: number; ctaInFirst5s: boolean; hashtagCount: number } | undefined;
  metadata?: { [key: string]: unknown } | undefined;
}

/** What RegisterPost's validation reads (the contract's Post message fits it). */
export interface PostRequest {
  postId: string;
  contentId: string;
  platform: number;
  account: string;
  publishTime?: Date | undefined;
  timeZone: string;
}

/** Validates RegisterContent; `metadata` is limited to `limits.maxMetadataBytes` of JSON. */
export function validateRegisterContent(content: ContentRequest | undefined, limits: MetricsLimits): ContentInput {
  if (!content) throw invalidArgument('content is required', 'content');
  const contentId = requireId(content.contentId, 'content.content_id');
  if (!Number.isFinite(content.durationS) || content.durationS <= 0 || content.durationS > MAX_DURATION_S) {
    throw invalidArgument(
      `content.duration_s is ${content.durationS}; must be a number of seconds > 0 and at most ${MAX_DURATION_S} (a week)`,
      'content.duration_s',
    );
  }
  const features = content.features;
  for (const [field, value] of [
    ['quality_score', features?.qualityScore ?? 0],
    ['aesthetic_score', features?.aestheticScore ?? 0],
  ] as const) {
    const problem = rateProblem(value);
    if (problem) throw invalidArgument(`content.features.${field} ${problem}`, `content.features.${field}`);
  }
  const metadata = content.metadata ?? {};
  const metadataProblem = structProblem(metadata, limits.maxMetadataBytes);
  if (metadataProblem) throw invalidArgument(`content.metadata ${metadataProblem}`, 'content.metadata');
  return {
    contentId,
    durationS: content.durationS,
    qualityScore: features?.qualityScore ?? 0,
    aestheticScore: features?.aestheticScore ?? 0,
    captionLengthChars: wholeNumber(features?.captionLengthChars ?? 0, 'content.features.caption_length_chars'),
    ctaInFirst5s: features?.ctaInFirst5s ?? false,
    hashtagCount: wholeNumber(features?.hashtagCount ?? 0, 'content.features.hashtag_count'),
    metadata,
  };
}

/** Validates RegisterPost. */
export function validateRegisterPost(post: PostRequest | undefined): PostInput {
  if (!post) throw invalidArgument('post is required', 'post');
  const postId = requireId(post.postId, 'post.post_id');
  const contentId = requireId(post.contentId, 'post.content_id');
  const platform = platformName(post.platform);
  if (!platform) throw invalidArgument(`post.platform ${post.platform} is not a platform; use TIKTOK, INSTAGRAM, YOUTUBE, FACEBOOK or X`, 'post.platform');
  const account = post.account ?? '';
  const accountProblem = idProblem(account, false);
  if (accountProblem) throw invalidArgument(`post.account ${accountProblem}`, 'post.account');
  if (!post.publishTime) throw invalidArgument('post.publish_time is required', 'post.publish_time');
  const publishProblem = timeProblem(post.publishTime, new Date(Date.now() + MAX_PLAN_AHEAD_MS), 'a year from now at most');
  if (publishProblem) throw invalidArgument(`post.publish_time ${publishProblem}`, 'post.publish_time');
  const timeZone = post.timeZone || 'UTC';
  // NOTE: the zone's formatter is built once per zone (isValidTimeZone caches it): building one per post was a
  // tenth of a millisecond, the largest cost of RegisterPost's validation.
  if (!isValidTimeZone(timeZone)) throw invalidArgument(`post.time_zone "${timeZone}" is not an IANA time zone (e.g. Europe/Madrid)`, 'post.time_zone');
  return { postId, contentId, platform, account, publishedAt: post.publishTime, timeZone };
}

/** Validates GetContent and DeleteContent. */
export function validateContentId(contentId: string): string {
  return requireId(contentId, 'content_id');
}

/** Validates GetPost. */
export function validatePostId(postId: string): string {
  return requireId(postId, 'post_id');
}

/** Validates ListContent. */
export function validateListContent(request: { pageSize: number; pageToken: string }) {
  return { pageSize: pageSizeOf(request.pageSize, DEFAULT_LIST_PAGE_SIZE, MAX_LIST_PAGE_SIZE), pageToken: request.pageToken };
}

/** Validates ListPosts. */
export function validateListPosts(request: { contentId: string; platform: number; pageSize: number; pageToken: string }) {
  const contentIdProblem = idProblem(request.contentId, false);
  if (contentIdProblem) throw invalidArgument(`content_id ${contentIdProblem}`, 'content_id');
  return {
    contentId: request.contentId || undefined,
    platform: optionalPlatform(request.platform),
    pageSize: pageSizeOf(request.pageSize, DEFAULT_LIST_PAGE_SIZE, MAX_LIST_PAGE_SIZE),
    pageToken: request.pageToken,
  };
}

/** Validates the size of a RecordMetrics batch (each record is validated on its own, as a rejection). */
export function validateRecordMetrics(request: { records: unknown[] }, limits: MetricsLimits): void {
  if (request.records.length > limits.maxBatchSize) {
    throw invalidArgument(
      `records has ${request.records.length} records; at most ${limits.maxBatchSize} per call (LIMIT_MAX_BATCH_SIZE): split the batch or use StreamMetrics`,
      'records',
    );
  }
}

function idList(values: string[], field: string): string[] {
  if (values.length > MAX_FILTER_IDS) throw invalidArgument(`${field} has ${values.length} ids; at most ${MAX_FILTER_IDS}`, field);
  values.forEach((v, i) => {
    requireId(v, `${field}[${i}]`);
  });
  return values;
}

function timeRange(startTime: Date | undefined, endTime: Date | undefined) {
  // NOTE: a Timestamp outside the years 0001..9999 decodes to an Invalid Date, which the driver cannot send.
  for (const [name, time] of [
    ['start_time', startTime],
    ['end_time', endTime],
  ] as const) {
    const problem = time && timestampProblem(time);
    if (problem) throw invalidArgument(`${name} ${problem}`, name);
  }
  if (startTime && endTime && endTime.getTime() <= startTime.getTime()) {
    throw invalidArgument('end_time must be after start_time', 'end_time');
  }
  return { startTime, endTime };
}

function metricFamily(value: number): FamilySpec {
  const spec = familyOfNumber(value);
  if (!spec) throw invalidArgument(`family ${value} is not a metric family; set family (e.g. METRIC_FAMILY_RETENTION)`, 'family');
  return spec;
}

/** Checks that each filter applies to the family. */
function filterFor(
  spec: FamilySpec,
  request: { postIds: string[]; contentIds: string[]; platform: number; startTime?: Date; endTime?: Date },
  latestOnly: boolean,
): MetricFilter {
  const postIds = idList(request.postIds, 'post_ids');
  const contentIds = idList(request.contentIds, 'content_ids');
  const platform = optionalPlatform(request.platform);
  if (postIds.length > 0 && !spec.postKeyed) throw invalidArgument(`post_ids does not apply to the ${spec.name} family`, 'post_ids');
  if (contentIds.length > 0 && !spec.postKeyed && !spec.contentColumn)
    throw invalidArgument(`content_ids does not apply to the ${spec.name} family`, 'content_ids');
  if (platform && !spec.postKeyed && !spec.platformColumn) throw invalidArgument(`platform does not apply to the ${spec.name} family`, 'platform');
  return { spec, postIds, contentIds, platform, ...timeRange(request.startTime, request.endTime), latestOnly };
}

/** Validates QueryMetrics. */
export function validateQueryMetrics(request: {
  family: number;
  postIds: string[];
  contentIds: string[];
  platform: number;
  startTime: Date | undefined;
  endTime: Date | undefined;
  latestOnly: boolean;
  pageSize: number;
  pageToken: string;
}) {
  const spec = metricFamily(request.family);
  return {
    filter: filterFor(spec, request, request.latestOnly),
    pageSize: pageSizeOf(request.pageSize, DEFAULT_QUERY_PAGE_SIZE, MAX_QUERY_PAGE_SIZE),
    pageToken: request.pageToken,
  };
}

/** Validates ExportMetrics. */
export function validateExportMetrics(request: { family: number; startTime: Date | undefined; endTime: Date | undefined; platform: number }): MetricFilter {
  const spec = metricFamily(request.family);
  return filterFor(spec, { ...request, postIds: [], contentIds: [] }, false);
}

function day(value: string, field: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || new Date(ms).toISOString().slice(0, 10) !== value) throw invalidArgument(`${field} "${value}" is not a day YYYY-MM-DD`, field);
  return ms;
}

/** Validates ListDailySnapshots: days YYYY-MM-DD, end ≥ start, at most 366 days apart. */
export function validateListDailySnapshots(request: { startDay: string; endDay: string; platform: number }) {
  const startMs = day(request.startDay, 'start_day');
  const endMs = day(request.endDay, 'end_day');
  if (endMs < startMs) throw invalidArgument('end_day is before start_day', 'end_day');
  if ((endMs - startMs) / DAY_MS > MAX_SNAPSHOT_DAYS)
    throw invalidArgument(`end_day is more than ${MAX_SNAPSHOT_DAYS} days after start_day; ask for a shorter range`, 'end_day');
  return { startDay: request.startDay, endDay: request.endDay, platform: optionalPlatform(request.platform) };
}
