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

/**
 * The HNSW index of a collection's table. `concurrently` (Postgres, a background build) keeps writes flowing
 * while it builds; a build killed mid-way then leaves an INVALID index of this name, dropped before a rebuild.
 */
export function hnswIndexStatement(
  tableName: string,
  spec: Pick<CollectionSpec, 'precision' | 'distance' | 'hnswM' | 'hnswEfConstruction'>,
  concurrently: boolean,
): string {
  const t = table({ tableName });
  const opclass = `${COLUMN_TYPES[spec.precision]}_${OPCLASS_SUFFIX[spec.distance]}`;
  const m = Math.trunc(spec.hnswM);
  const efConstruction = Math.trunc(spec.hnswEfConstruction);
  return `create index ${concurrently ? 'concurrently ' : ''}if not exists ${hnswIndexName(tableName)} on ${t} using hnsw (embedding ${opclass}) with (m = ${m}, ef_construction = ${efConstruction})`;
}

/** The name of a collection's HNSW index. */
export function hnswIndexName(tableName: string): string {
  return `${table({ tableName })}_hnsw`;
}

/**
 * The statements that create a collection's table and indices; the HNSW index only when the collection is
 * indexed from the start (indexing threshold 0), else it is built later (deferred indexing).
 */
export function createTableStatements(tableName: string, spec: CollectionSpec): string[] {
  const t = table({ tableName });
  return [
    `create table ${t} (
       id text primary key,
       content_id text not null,
       embedding ${vectorType(spec)} not null,
       metadata jsonb not null default '{}',
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now()${textColumn(spec)}
     )`,
    // NOTE: keeps vectors inline: TOASTed vectors (over ~2 KB) make exact scans several times slower.
    `alter table ${t} alter column embedding set storage plain`,
    ...((spec.indexingThreshold ?? 0) === 0 ? [hnswIndexStatement(tableName, spec, false)] : []),
    `create index ${t}_content on ${t} (content_id)`,
    `create index ${t}_metadata on ${t} using gin (metadata jsonb_path_ops)`,
    `create index ${t}_created on ${t} (created_at)`,
    ...((spec.textFields ?? []).length > 0 ? [`create index ${t}_text on ${t} using gin (${TEXT_COLUMN})`] : []),
  ];
}

/** The generated tsvector column of a collection with text_fields (keyword sub-queries of SearchContent). */
export const TEXT_COLUMN = 'text_tsv';

/** A SQL string literal. NOTE: only for validated names (fields, languages): values always go as parameters. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The tsvector column definition (with its leading comma) of a collection with text fields, else nothing. Each
 * field's value is taken as text (`->>`: a string as it is, anything else as its JSON text), the fields joined by
 * spaces. NOTE: a generated column cannot take parameters, so the validated names are written as literals.
 */
function textColumn(spec: Pick<CollectionSpec, 'textFields' | 'textLanguage'>): string {
  const fields = spec.textFields ?? [];
  if (fields.length === 0) return '';
  const text = fields.map((field) => `coalesce(metadata ->> ${literal(field)}, '')`).join(` || ' ' || `);
  return `,
       ${TEXT_COLUMN} tsvector generated always as (to_tsvector(${literal(spec.textLanguage ?? 'simple')}::regconfig, ${text})) stored`;
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
 * The registry columns a search relies on, each with the cached collection's value it must still have: a
 * collection recreated under the same name with the same values searches the same way (its table name derives
 * from the name).
 */
const SEARCH_RELEVANT_COLUMNS: ReadonlyArray<readonly [string, (c: CollectionInfo) => unknown]> = [
  ['table_name', (c) => c.tableName],
  ['dimension', (c) => c.dimension],
  ['distance', (c) => c.distance],
  ['precision', (c) => c.precision],
  ['embedding_type', (c) => c.embeddingType],
  ['hnsw_ef_search', (c) => c.hnswEfSearch],
  ['text_language', (c) => c.textLanguage],
];

/**
 * The one statement of a search: the k nearest points (optionally one per content id) with their distance.
 * `vector` is the query vector parameter (pgvector's binary or text form). With `checkTenant`, the collection
 * came from a cache and the statement also checks it against the registry: it then returns at least one row,
 * whose `fresh` column is true only if the registry still holds the collection with the same search-relevant
 * values (rows without a point when there are no hits), and, for a collection reached through an alias, the alias
 * still points to it.
 * NOTE: with `hnsw.iterative_scan = relaxed_order` the index may return rows slightly out of order, so the
 * nearest rows are materialised first and sorted again (pgvector's documented pattern).
 */
export function searchStatement(
  collection: CollectionInfo,
  query: {
    topK: number;
    filter: PointFilter;
    exact: boolean;
    groupByContent: boolean;
    withVectors: boolean;
    excludeIds?: readonly string[];
    /** Contents never returned (SearchContent's example content). */
    excludeContentIds?: readonly string[];
    /** Only id, content_id and distance per row (SearchContent needs no metadata). */
    idsOnly?: boolean;
  },
  vector: unknown,
  excludeId: string | undefined,
  checkTenant?: string,
): { sql: string; params: unknown[] } {
  const params = new Params();
  const t = table(collection);
  const queryVector = `${params.add(vector)}::${vectorType(collection)}`;
  const conditions = filterConditions(query.filter, params);
  if (excludeId !== undefined) conditions.push(`id <> ${params.add(excludeId)}`);
  if (query.excludeIds?.length) conditions.push(`id <> all(${params.add(query.excludeIds)}::text[])`);
  if (query.excludeContentIds?.length) conditions.push(`content_id <> all(${params.add(query.excludeContentIds)}::text[])`);
  const nearest = (limit: number | undefined) =>
    `select ${query.idsOnly ? 'id, content_id' : pointColumns(query.withVectors)}, embedding ${distanceOperator(collection.distance)} ${queryVector} as distance
     from ${t} ${whereClause(conditions)}
     order by distance${limit === undefined ? '' : ` limit ${params.add(limit)}`}`;
  let sql: string;
  if (!query.groupByContent) {
    sql = `with hits as materialized (${nearest(query.topK)}) select * from hits order by distance`;
  } else {
    // An exact grouped search ranks every matching point; an approximate one over-fetches from the index.
    const candidates = nearest(query.exact ? undefined : groupCandidateCount(query.topK));
    sql = `with candidates as materialized (${candidates}),
       best as (select distinct on (content_id) * from candidates order by content_id, distance)
       select * from best order by distance limit ${params.add(query.topK)}`;
  }
  return checkedAgainstRegistry(sql, params, collection, checkTenant, 'found.distance');
}

/**
 * `sql` as it is, or, with `checkTenant` (the collection came from a cache), wrapped so that it returns at least one
 * row whose `fresh` column says whether the registry still holds the collection as cached (see searchStatement);
 * rows ordered by `orderBy` (a column of `found`).
 */
export function checkedAgainstRegistry(
  sql: string,
  params: Params,
  collection: CollectionInfo,
  checkTenant: string | undefined,
  orderBy: string,
): { sql: string; params: unknown[] } {
  if (checkTenant === undefined) return { sql, params: params.values };
  return {
    sql: `with found as materialized (${sql}) select checked.fresh, found.* from (select ${freshCheck(collection, checkTenant, params)} as fresh) checked left join found on true order by ${orderBy}`,
    params: params.values,
  };
}

/**
 * A boolean SQL expression: true only if the registry still holds the cached `collection` with the same
 * search-relevant values and, for a collection reached through an alias, the alias still points to it.
 */
export function freshCheck(collection: CollectionInfo, tenantId: string, params: Params): string {
  const same = [`tenant_id = ${params.add(tenantId)}`, `name = ${params.add(collection.name)}`];
  for (const [column, value] of SEARCH_RELEVANT_COLUMNS) same.push(`${column} = ${params.add(value(collection))}`);
  let fresh = `exists (select 1 from collections where ${same.join(' and ')})`;
  if (collection.alias !== undefined) {
    // Reached through an alias: it must still point to this collection (SwitchAlias may have moved it).
    const aliased = `tenant_id = ${params.add(tenantId)} and alias = ${params.add(collection.alias)} and collection_name = ${params.add(collection.name)}`;
    fresh += ` and exists (select 1 from collection_aliases where ${aliased})`;
  }
  return fresh;
}

/**
 * HNSW scan settings of an approximate search. They are read only by HNSW index scans, so they may stay on a
 * pooled connection (Session.useSettings) and most searches need no statement to set them.
 */
export function hnswSettings(
  collection: CollectionInfo,
  query: { topK: number; efSearch: number; groupByContent: boolean },
  filtered: boolean,
): Record<string, string> {
  // NOTE: HNSW returns at most ef_search rows per scan, so it is raised to top_k; iterative scans keep
  // scanning when a filter or grouping discards rows, up to max_scan_tuples visited.
  const efSearch = Math.max(query.efSearch || collection.hnswEfSearch, query.topK);
  const iterative = filtered || query.groupByContent;
  return {
    'hnsw.ef_search': String(efSearch),
    'hnsw.iterative_scan': iterative ? 'relaxed_order' : 'off',
    'hnsw.max_scan_tuples': iterative ? '200000' : '20000',
  };
}

/** Settings of an exact search, local to its transaction: with no index scan the HNSW index cannot answer. */
export const EXACT_SEARCH_SETTINGS: Readonly<Record<string, string>> = { enable_indexscan: 'off' };
