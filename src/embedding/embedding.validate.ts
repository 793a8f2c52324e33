// Validation of EmbeddingService requests at the edge: one function per request type, plain data in and out.
// Inputs are structural (the generated request types fit them); enums arrive as lower-case names.
import { validateVector, type VectorInput } from './vector.validate.js';
import { timestampProblem } from '../domain/time.js';
import { nulProblem } from '../domain/text.js';
import { nonFiniteProblem, rejectedStructReason } from '../domain/struct-bounds.js';
import type { Limits } from '../config.js';
import { invalidArgument, resourceExhausted } from '../errors.js';
import { decodePageToken, pageSizeOf } from '../domain/paging.js';
import { filterIsEmpty, scrollFingerprint } from './point-filter.js';
import {
  DISTANCES,
  EMBEDDING_TYPES,
  PRECISIONS,
  type CollectionSpec,
  type DistanceName,
  type EmbeddingTypeName,
  type Metadata,
  type MetadataUpdateModeName,
  type PointFilter,
  type PointInput,
  type PrecisionName,
  type SearchOptions,
  type SearchQuery,
  type UpsertStreamChunk,
} from './embedding.types.js';

/** pgvector's HNSW index limits: the most dimensions an indexed column may have. */
export const MAX_INDEXED_DIMENSIONS: Record<PrecisionName, number> = { float32: 2000, float16: 4000 };
export const HNSW_DEFAULTS = { m: 16, efConstruction: 128, efSearch: 100 } as const;
export const MAX_ID_LENGTH = 256;
export const MAX_TOP_K = 1000;
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_SEARCHES_PER_BATCH = 100;
/** The largest indexing threshold: the most points a collection may hold (LIMIT_MAX_POINTS_PER_COLLECTION's range). */
export const MAX_INDEXING_THRESHOLD = 2_000_000_000;
const MAX_DESCRIPTION_LENGTH = 1000;
const COLLECTION_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

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
export interface CollectionRequest {
  name: string;
  /** Lower-case enum name without prefix, e.g. "visual_clip"; "unspecified" when unset. */
  embeddingType: string;
  dimension: number;
  distance: string;
  precision: string;
  hnsw: { m: number; efConstruction: number; efSearch: number } | undefined;
  description: string;
  /** Unset: the service's default. */
  indexingThreshold?: number | undefined;
  /** Metadata fields for keyword search; absent or empty: none. */
  textFields?: string[];
  /** Text search configuration; absent or empty: "simple". */
  textLanguage?: string;
}
export interface SearchRequest {
  collection: string;
  vector: VectorInput | undefined;
  pointId: string;
  topK: number;
  filter: FilterRequest | undefined;
  efSearch: number;
  exact: boolean;
  groupByContent: boolean;
  withVectors: boolean;
}

/** A collection name as stored: 1..63 of a-z, 0-9, `_`, `-`, starting with a letter. */
export function validateCollectionName(name: string, field = 'collection'): string {
  if (name === '') throw invalidArgument(`${field} is empty; name the collection`, field);
  if (!COLLECTION_NAME.test(name)) {
    throw invalidArgument(`${field} "${name.slice(0, 80)}" is not a valid name: use 1..63 characters of a-z, 0-9, "_" and "-", starting with a letter`, field);
  }
  return name;
}

/** An enum's lower-case name among `allowed`; "unspecified" becomes `fallback` when there is one. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], fallback: T | undefined, field: string): T {
  if (value === 'unspecified' && fallback) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw invalidArgument(`${field} must be one of ${allowed.join(', ')} (got ${value})`, field);
}

function inRange(value: number, fallback: number, min: number, max: number, field: string): number {
  if (value === 0) return fallback;
  if (value < min || value > max) throw invalidArgument(`${field} is ${value}; use ${min}..${max}, or 0 for the default ${fallback}`, field);
  return value;
}

export function validateCreateCollection(collection: CollectionRequest | undefined): CollectionSpec {
  if (!collection) throw invalidArgument('collection is missing; send the collection to create', 'collection');
  const name = validateCollectionName(collection.name, 'collection.name');
  const embeddingType = oneOf<EmbeddingTypeName>(collection.embeddingType, EMBEDDING_TYPES, undefined, 'collection.embedding_type');
  const distance = oneOf<DistanceName>(collection.distance, DISTANCES, 'cosine', 'collection.distance');
  const precision = oneOf<PrecisionName>(collection.precision, PRECISIONS, 'float32', 'collection.precision');
  const maxDimension = MAX_INDEXED_DIMENSIONS[precision];
  if (collection.dimension < 1 || collection.dimension > maxDimension) {
    const hint = precision === 'float32' ? ` (float16 precision allows up to ${MAX_INDEXED_DIMENSIONS.float16})` : '';
    throw invalidArgument(
      `collection.dimension is ${collection.dimension}; a ${precision} collection with an HNSW index allows 1..${maxDimension} dimensions${hint}`,
      'collection.dimension',
    );
  }
  const hnsw = collection.hnsw ?? { m: 0, efConstruction: 0, efSearch: 0 };
  const hnswM = inRange(hnsw.m, HNSW_DEFAULTS.m, 2, 100, 'collection.hnsw.m');
  const hnswEfConstruction = inRange(hnsw.efConstruction, Math.max(HNSW_DEFAULTS.efConstruction, 2 * hnswM), 4, 1000, 'collection.hnsw.ef_construction');
  if (hnswEfConstruction < 2 * hnswM) {
    throw invalidArgument(
      `collection.hnsw.ef_construction is ${hnswEfConstruction}; it must be at least 2 × m (${2 * hnswM})`,
      'collection.hnsw.ef_construction',
    );
  }
  const hnswEfSearch = inRange(hnsw.efSearch, HNSW_DEFAULTS.efSearch, 1, 1000, 'collection.hnsw.ef_search');
  if (collection.description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalidArgument(
      `collection.description has ${collection.description.length} characters; at most ${MAX_DESCRIPTION_LENGTH}`,
      'collection.description',
    );
  }
  const descriptionNul = nulProblem(collection.description);
  if (descriptionNul) throw invalidArgument(`collection.description ${descriptionNul}`, 'collection.description');
  const indexingThreshold = collection.indexingThreshold;
  if (indexingThreshold !== undefined && (!Number.isSafeInteger(indexingThreshold) || indexingThreshold > MAX_INDEXING_THRESHOLD)) {
    throw invalidArgument(
      `collection.indexing_threshold is ${indexingThreshold}; use 0 (index at once) .. ${MAX_INDEXING_THRESHOLD}, or leave it unset for the service's default`,
      'collection.indexing_threshold',
    );
  }
  return {
    name,
    embeddingType,
    ...(indexingThreshold === undefined ? {} : { indexingThreshold }),
    dimension: collection.dimension,
    distance,
    precision,
    hnswM,
    hnswEfConstruction,
    hnswEfSearch,
    description: collection.description,
    ...validateTextFields(collection.textFields ?? [], collection.textLanguage ?? ''),
  };
}

/** Most metadata fields one collection indexes for keyword search. */
export const MAX_TEXT_FIELDS = 10;
const TEXT_FIELD = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const TEXT_LANGUAGE = /^[a-z][a-z0-9_]{0,62}$/;

/** The keyword-search fields and language of a new collection (whether the language exists is checked on create). */
function validateTextFields(fields: string[], language: string): { textFields: string[]; textLanguage: string } {
  if (fields.length > MAX_TEXT_FIELDS) {
    throw invalidArgument(`collection.text_fields has ${fields.length} fields; at most ${MAX_TEXT_FIELDS}`, 'collection.text_fields');
  }
  fields.forEach((field, i) => {
    if (!TEXT_FIELD.test(field)) {
      throw invalidArgument(
        `collection.text_fields[${i}] "${field.slice(0, 80)}" is not a field name: use 1..63 letters, digits, "_" and "-", starting with a letter`,
        `collection.text_fields[${i}]`,
      );
    }
  });
  if (language !== '' && !TEXT_LANGUAGE.test(language)) {
    throw invalidArgument(
      `collection.text_language "${language.slice(0, 80)}" is not a text search configuration name, e.g. "simple" or "english"`,
      'collection.text_language',
    );
  }
  return { textFields: [...new Set(fields)], textLanguage: language === '' ? 'simple' : language };
}

export function validateGetCollection(request: { name: string }): string {
  return validateCollectionName(request.name, 'name');
}

export function validateDeleteCollection(request: { name: string }): string {
  return validateCollectionName(request.name, 'name');
}

/** The type to list, or undefined for all. */
export function validateListCollections(request: { embeddingType: string }): EmbeddingTypeName | undefined {
  if (request.embeddingType === 'unspecified') return undefined;
  return oneOf<EmbeddingTypeName>(request.embeddingType, EMBEDDING_TYPES, undefined, 'embedding_type');
}

/** A point or content id: 1..256 characters. */
export function validateId(id: string, field: string): string {
  if (id === '') throw invalidArgument(`${field} is empty; give it 1..${MAX_ID_LENGTH} characters`, field);
  if (id.length > MAX_ID_LENGTH) throw invalidArgument(`${field} has ${id.length} characters; at most ${MAX_ID_LENGTH}`, field);
  const nul = nulProblem(id);
  if (nul) throw invalidArgument(`${field} ${nul}`, field);
  return id;
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

/** The options Search and Recommend share: top_k, ef_search, filter, exact, grouping and vectors. */
export type SearchOptionsRequest = Pick<SearchRequest, 'topK' | 'filter' | 'efSearch' | 'exact' | 'groupByContent' | 'withVectors'>;

export function validateSearchOptions(request: SearchOptionsRequest, limits: Limits, prefix = ''): SearchOptions {
  if (request.topK < 1 || request.topK > MAX_TOP_K) {
    throw invalidArgument(`${prefix}top_k is ${request.topK}; use 1..${MAX_TOP_K}`, `${prefix}top_k`);
  }
  if (request.topK > limits.maxTopK) {
    throw resourceExhausted(`${prefix}top_k is ${request.topK}; LIMIT_MAX_TOP_K allows at most ${limits.maxTopK}`);
  }
  if (request.efSearch > 1000) {
    throw invalidArgument(`${prefix}ef_search is ${request.efSearch}; use 1..1000, or 0 for the collection's default`, `${prefix}ef_search`);
  }
  return {
    topK: request.topK,
    filter: validateFilter(request.filter, `${prefix}filter`, limits),
    efSearch: request.efSearch,
    exact: request.exact,
    groupByContent: request.groupByContent,
    withVectors: request.withVectors,
  };
}

export function validateSearch(request: SearchRequest, limits: Limits, prefix = ''): SearchQuery {
  const collection = validateCollectionName(request.collection, `${prefix}collection`);
  const hasVector = (request.vector?.values.length ?? 0) > 0 || (request.vector?.float32Le.length ?? 0) > 0;
  if (hasVector === (request.pointId !== '')) {
    throw invalidArgument(`set exactly one of ${prefix}vector and ${prefix}point_id`, `${prefix}vector`);
  }
  const options = validateSearchOptions(request, limits, prefix);
  return {
    collection,
    vector: hasVector ? validateVector(request.vector, `${prefix}vector`) : undefined,
    pointId: hasVector ? undefined : validateId(request.pointId, `${prefix}point_id`),
    ...options,
  };
}

export function validateSearchBatch(request: { searches: SearchRequest[] }, limits: Limits): SearchQuery[] {
  if (request.searches.length === 0) throw invalidArgument('searches is empty; send at least one search', 'searches');
  if (request.searches.length > MAX_SEARCHES_PER_BATCH) {
    throw invalidArgument(`searches has ${request.searches.length} searches; at most ${MAX_SEARCHES_PER_BATCH} per call`, 'searches');
  }
  return request.searches.map((s, i) => validateSearch(s, limits, `searches[${i}].`));
}
