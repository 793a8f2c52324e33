// SQL text every part of the embedding area shares: a collection's table, column type, operator, filters and point
// columns. Pure string building (no database access), so the generated SQL is unit-tested. The statements of each
// kind of operation live beside it (collections/collection-table.sql.ts, search/search.sql.ts, …).
import type { CollectionInfo, CollectionSpec, DistanceName, PointFilter, PrecisionName } from './embedding.types.js';

const TABLE_NAME = /^emb_[0-9a-f]{24}$/;

/** The table name, checked again before it is put into SQL text. */
export function table(collection: Pick<CollectionInfo, 'tableName'>): string {
  if (!TABLE_NAME.test(collection.tableName)) throw new Error(`unexpected collection table name ${collection.tableName}`);
  return collection.tableName;
}

const OPERATORS: Record<DistanceName, string> = { cosine: '<=>', l2: '<->', inner_product: '<#>' };
const COLUMN_TYPES: Record<PrecisionName, string> = { float32: 'vector', float16: 'halfvec' };

/** The column type without its dimension: `vector` or `halfvec`. */
export function columnType(precision: PrecisionName): string {
  return COLUMN_TYPES[precision];
}

/** The column type, e.g. `vector(512)` or `halfvec(3000)`. */
export function vectorType(collection: Pick<CollectionSpec, 'precision' | 'dimension'>): string {
  return `${COLUMN_TYPES[collection.precision]}(${Math.trunc(collection.dimension)})`;
}

/** The pgvector distance operator of the collection. */
export function distanceOperator(distance: DistanceName): string {
  return OPERATORS[distance];
}

/** The generated tsvector column of a collection with text_fields (keyword sub-queries of SearchContent). */
export const TEXT_COLUMN = 'text_tsv';

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
