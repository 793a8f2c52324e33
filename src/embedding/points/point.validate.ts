// Validation of the point requests (Upsert, UpsertStream, GetPoints, DeletePoints, UpdateMetadata, Scroll) and of
// the point filter every search shares: plain data in and out.
import type { Limits } from '../../config.js';
import { decodePageToken, pageSizeOf } from '../../domain/paging.js';
import { nonFiniteProblem, rejectedStructReason } from '../../domain/struct-bounds.js';
import { nulProblem } from '../../domain/text.js';
import { timestampProblem } from '../../domain/time.js';
import { invalidArgument, resourceExhausted } from '../../errors.js';
import { oneOf, validateCollectionName, validateId } from '../embedding.validate.js';
import type { Metadata, MetadataUpdateModeName, PointFilter, PointInput, UpsertStreamChunk } from '../embedding.types.js';
import { validateVector, type VectorInput } from '../vectors/vector.validate.js';
import { filterIsEmpty, scrollFingerprint } from './point-filter.js';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

export interface PointRequest {
  id: string;
  contentId: string;
  vector: VectorInput | undefined;
  metadata: Metadata | undefined;
}
export interface FilterRequest {
  contentIds: string[];
  createdAfter: Date | undefined;
  createdBefore: Date | undefined;
  metadataContains: Metadata | undefined;
}
function validateIds(ids: string[], field: string, limits: Limits): string[] {
  if (ids.length > limits.maxBatchSize) {
    throw resourceExhausted(`${field} has ${ids.length} ids; LIMIT_MAX_BATCH_SIZE allows ${limits.maxBatchSize} per call`);
  }
  ids.forEach((id, i) => {
    validateId(id, `${field}[${i}]`);
  });
  return ids;
}

/** Metadata as a JSON object no bigger than the limit. */
export function validateMetadata(metadata: Metadata | undefined, field: string, limits: Limits): Metadata {
  if (!metadata) return {};
  const rejected = rejectedStructReason(metadata);
  if (rejected) throw invalidArgument(`${field} ${rejected}`, field);
  const json = JSON.stringify(metadata);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > limits.maxMetadataBytes) {
    throw invalidArgument(`${field} is ${bytes} bytes as JSON; at most ${limits.maxMetadataBytes} (LIMIT_MAX_METADATA_BYTES)`, field);
  }
  // NOTE: JSON writes a NUL as \u0000, so JSON without that text holds none: the walk that names its path runs
  // only when it may find one (it was a tenth of a large stream's CPU on the event loop).
  const nul = json.includes('\\u0000') ? nulProblem(metadata) : undefined;
  if (nul) throw invalidArgument(`${field} ${nul}`, field);
  const nonFinite = nonFiniteProblem(metadata, json);
  if (nonFinite) throw invalidArgument(`${field} ${nonFinite}`, field);
  return metadata;
}

/** One point to write; throws INVALID_ARGUMENT naming `field`. */
export function validatePoint(point: PointRequest, field: string, limits: Limits): PointInput {
  return {
    id: validateId(point.id, `${field}.id`),
    contentId: validateId(point.contentId, `${field}.content_id`),
    vector: validateVector(point.vector, `${field}.vector`),
    metadata: validateMetadata(point.metadata, `${field}.metadata`, limits),
  };
}

export function validateUpsert(request: { collection: string; points: PointRequest[] }, limits: Limits): { collection: string; points: PointInput[] } {
  const collection = validateCollectionName(request.collection);
  if (request.points.length === 0) throw invalidArgument('points is empty; send at least one point', 'points');
  if (request.points.length > limits.maxBatchSize) {
    throw resourceExhausted(
      `points has ${request.points.length} points; LIMIT_MAX_BATCH_SIZE allows ${limits.maxBatchSize} per Upsert (use UpsertStream for more)`,
    );
  }
  return { collection, points: request.points.map((p, i) => validatePoint(p, `points[${i}]`, limits)) };
}

/**
 * One message of an upsert stream: the collection name (checked, may be empty after the first message) and
 * each point either valid or with the reason it is rejected.
 */
export function validateUpsertStreamMessage(request: { collection: string; points: PointRequest[] }, limits: Limits): UpsertStreamChunk {
  const collection = request.collection === '' ? '' : validateCollectionName(request.collection);
  return {
    collection,
    points: request.points.map((p) => {
      try {
        return { ok: true as const, point: validatePoint(p, 'point', limits) };
      } catch (err) {
        return { ok: false as const, id: p.id, reason: (err as Error).message };
      }
    }),
  };
}

export function validateGetPoints(request: { collection: string; ids: string[]; withVectors: boolean }, limits: Limits) {
  return { collection: validateCollectionName(request.collection), ids: validateIds(request.ids, 'ids', limits), withVectors: request.withVectors };
}

/** A filter; an absent filter matches everything. */
export function validateFilter(filter: FilterRequest | undefined, field: string, limits: Limits): PointFilter {
  if (!filter) return { contentIds: [] };
  const contentIds = validateIds(filter.contentIds, `${field}.content_ids`, limits);
  // NOTE: a Timestamp outside the years 0001..9999 decodes to an Invalid Date, which the driver cannot send.
  for (const [name, time] of [
    ['created_after', filter.createdAfter],
    ['created_before', filter.createdBefore],
  ] as const) {
    const problem = time && timestampProblem(time);
    if (problem) throw invalidArgument(`${field}.${name} ${problem}`, `${field}.${name}`);
  }
  if (filter.createdAfter && filter.createdBefore && filter.createdAfter >= filter.createdBefore) {
    throw invalidArgument(`${field}.created_after must be before ${field}.created_before`, field);
  }
  const metadataContains = filter.metadataContains ? validateMetadata(filter.metadataContains, `${field}.metadata_contains`, limits) : undefined;
  return { contentIds, createdAfter: filter.createdAfter, createdBefore: filter.createdBefore, metadataContains };
}

export function validateDeletePoints(request: { collection: string; ids: string[]; filter: FilterRequest | undefined }, limits: Limits) {
  const collection = validateCollectionName(request.collection);
  const filter = validateFilter(request.filter, 'filter', limits);
  const ids = validateIds(request.ids, 'ids', limits);
  const byFilter = !filterIsEmpty(filter);
  if (ids.length > 0 && byFilter) throw invalidArgument('set ids or filter, not both', 'ids');
  if (ids.length === 0 && !byFilter) {
    throw invalidArgument('set ids or a non-empty filter; to delete every point, delete the collection', 'filter');
  }
  return byFilter ? { collection, filter } : { collection, ids };
}

export function validateUpdateMetadata(
  request: { collection: string; ids: string[]; metadata: Metadata | undefined; mode: string },
  limits: Limits,
): { collection: string; ids: string[]; metadata: Metadata; mode: MetadataUpdateModeName } {
  const collection = validateCollectionName(request.collection);
  const ids = validateIds(request.ids, 'ids', limits);
  if (ids.length === 0) throw invalidArgument('ids is empty; name the points to update', 'ids');
  const mode = oneOf<MetadataUpdateModeName>(request.mode, ['merge', 'replace'], 'merge', 'mode');
  return { collection, ids, metadata: validateMetadata(request.metadata, 'metadata', limits), mode };
}

export function validateScroll(
  request: { collection: string; filter: FilterRequest | undefined; pageSize: number; pageToken: string; withVectors: boolean },
  limits: Limits,
) {
  const collection = validateCollectionName(request.collection);
  const filter = validateFilter(request.filter, 'filter', limits);
  const after = decodePageToken(request.pageToken, scrollFingerprint(collection, filter), 1);
  return {
    collection,
    filter,
    pageSize: pageSizeOf(request.pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    afterId: after ? String(after[0]) : undefined,
    withVectors: request.withVectors,
  };
}
