// SQL text of the embedding area that depends on a collection: its table, operators, casts and filters.
// Pure string building (no database access), so the generated SQL is unit-tested.
import { createHash } from 'node:crypto';
import type { CollectionInfo, CollectionSpec, DistanceName, PointFilter, PrecisionName } from './embedding.types.js';

const TABLE_NAME = /^emb_[0-9a-f]{24}$/;

/** The table of a collection: derived from tenant and name, so it is a safe identifier whatever the name. */
export function tableNameFor(tenantId: string, name: string): string {
  return `emb_${createHash('sha256').update(`${tenantId}\u0000${name}`).digest('hex').slice(0, 24)}`;
}

/** The table name, checked again before it is put into SQL text. */
export function table(collection: Pick<CollectionInfo, 'tableName'>): string {
  if (!TABLE_NAME.test(collection.tableName)) throw new Error(`unexpected collection table name ${collection.tableName}`);
  return collection.tableName;
}

const OPERATORS: Record<DistanceName, string> = { cosine: '<=>', l2: '<->', inner_product: '<#>' };
const OPCLASS_SUFFIX: Record<DistanceName, string> = { cosine: 'cosine_ops', l2: 'l2_ops', inner_product: 'ip_ops' };
const COLUMN_TYPES: Record<PrecisionName, string> = { float32: 'vector', float16: 'halfvec' };

/** The column type, e.g. `vector(512)` or `halfvec(3000)`. */
export function vectorType(collection: Pick<CollectionSpec, 'precision' | 'dimension'>): string {
  return `${COLUMN_TYPES[collection.precision]}(${Math.trunc(collection.dimension)})`;
}

/** The pgvector distance operator of the collection. */
export function distanceOperator(distance: DistanceName): string {
  return OPERATORS[distance];
}

/** Similarity from pgvector's distance: 1 − d for cosine, −d for L2, and the inner product (<#> is its negative). */
export function scoreFromDistance(distance: DistanceName, value: number): number {
  // NOTE: `0 - value` rather than `-value`, so a zero distance scores +0, not -0.
  return distance === 'cosine' ? 1 - value : 0 - value;
}

/** The statements that create a collection's table and indices. */
export function createTableStatements(tableName: string, spec: CollectionSpec): string[] {
  const t = table({ tableName });
  const opclass = `${COLUMN_TYPES[spec.precision]}_${OPCLASS_SUFFIX[spec.distance]}`;
  const m = Math.trunc(spec.hnswM);
  const efConstruction = Math.trunc(spec.hnswEfConstruction);
  return [
    `create table ${t} (
       id text primary key,
       content_id text not null,
       embedding ${vectorType(spec)} not null,
       metadata jsonb not null default '{}',
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now()
     )`,
    // NOTE: keeps vectors inline: TOASTed vectors (over ~2 KB) make exact scans several times slower.
    `alter table ${t} alter column embedding set storage plain`,
    `create index ${t}_hnsw on ${t} using hnsw (embedding ${opclass}) with (m = ${m}, ef_construction = ${efConstruction})`,
    `create index ${t}_content on ${t} (content_id)`,
    `create index ${t}_metadata on ${t} using gin (metadata jsonb_path_ops)`,
    `create index ${t}_created on ${t} (created_at)`,
  ];
}

/** Positional parameters ($1, $2, …) collected while SQL text is built. */
export class Params {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The conditions of a filter (to be joined with `and`); empty when it restricts nothing. */
export function filterConditions(filter: PointFilter, params: Params): string[] {
  const conditions: string[] = [];
  if (filter.contentIds.length > 0) conditions.push(`content_id = any(${params.add(filter.contentIds)}::text[])`);
  if (filter.createdAfter) conditions.push(`created_at >= ${params.add(filter.createdAfter.toISOString())}::timestamptz`);
  if (filter.createdBefore) conditions.push(`created_at < ${params.add(filter.createdBefore.toISOString())}::timestamptz`);
  if (filter.metadataContains && Object.keys(filter.metadataContains).length > 0) {
    conditions.push(`metadata @> ${params.add(JSON.stringify(filter.metadataContains))}::jsonb`);
  }
  return conditions;
}

/** `where a and b`, or nothing. */
export function whereClause(conditions: string[]): string {
  return conditions.length > 0 ? `where ${conditions.join(' and ')}` : '';
}

/** The columns of a point as read back; the vector in pgvector text form only when asked for. */
export function pointColumns(withVectors: boolean): string {
  return `id, content_id, metadata, created_at, updated_at${withVectors ? ', embedding::text as vector_text' : ''}`;
}

/** How many nearest candidates a grouped approximate search looks at before keeping one per content id. */
export function groupCandidateCount(topK: number): number {
  return Math.min(Math.max(topK * 10, 100), 10_000);
}

/**
 * The one statement of a search: the k nearest points (optionally one per content id) with their distance.
 * NOTE: with `hnsw.iterative_scan = relaxed_order` the index may return rows slightly out of order, so the
 * nearest rows are materialised first and sorted again (pgvector's documented pattern).
 */
export function searchStatement(
  collection: CollectionInfo,
  query: { topK: number; filter: PointFilter; exact: boolean; groupByContent: boolean; withVectors: boolean },
  vectorText: string,
  excludeId: string | undefined,
): { sql: string; params: unknown[] } {
  const params = new Params();
  const t = table(collection);
  const queryVector = `${params.add(vectorText)}::${vectorType(collection)}`;
  const conditions = filterConditions(query.filter, params);
  if (excludeId !== undefined) conditions.push(`id <> ${params.add(excludeId)}`);
  const nearest = (limit: number | undefined) =>
    `select ${pointColumns(query.withVectors)}, embedding ${distanceOperator(collection.distance)} ${queryVector} as distance
     from ${t} ${whereClause(conditions)}
     order by distance${limit === undefined ? '' : ` limit ${params.add(limit)}`}`;
  if (!query.groupByContent) {
    return { sql: `with hits as materialized (${nearest(query.topK)}) select * from hits order by distance`, params: params.values };
  }
  // An exact grouped search ranks every matching point; an approximate one over-fetches from the index.
  const candidates = nearest(query.exact ? undefined : groupCandidateCount(query.topK));
  const sql = `with candidates as materialized (${candidates}),
     best as (select distinct on (content_id) * from candidates order by content_id, distance)
     select * from best order by distance limit ${params.add(query.topK)}`;
  return { sql, params: params.values };
}

/** Index scan settings of one search, as one statement of `set_config(…, is_local => true)` (SET LOCAL). */
export function searchSettingsStatement(
  collection: CollectionInfo,
  query: { topK: number; efSearch: number; exact: boolean; groupByContent: boolean },
  filtered: boolean,
): { sql: string; params: unknown[] } {
  // NOTE: HNSW returns at most ef_search rows per scan, so it is raised to top_k; iterative scans keep
  // scanning when a filter or grouping discards rows, up to max_scan_tuples visited.
  const efSearch = Math.max(query.efSearch || collection.hnswEfSearch, query.topK);
  const iterative = filtered || query.groupByContent;
  return {
    sql: `select set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', $2, true),
                 set_config('hnsw.max_scan_tuples', $3, true), set_config('enable_indexscan', $4, true)`,
    params: [String(efSearch), iterative ? 'relaxed_order' : 'off', iterative ? '200000' : '20000', query.exact ? 'off' : 'on'],
  };
}
