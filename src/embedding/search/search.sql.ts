// SQL text of searches (pure string building, unit-tested): the one statement of a search, the registry check a
// cached collection gets inside it, the stored vectors a search reads first, and the HNSW scan settings.
import { distanceOperator, filterConditions, Params, pointColumns, table, vectorType, whereClause } from '../embedding.sql.js';
import type { CollectionInfo, PointFilter } from '../embedding.types.js';

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
 * One statement reading the stored vectors searches start from, for each `lookups[i]` in its collection: the
 * points by id (`kind` 'point', `key` the point id, with its content) and the mean of each content's points (`kind`
 * 'mean', `key` the content id; `vector_text` null when the content has no point there). Under cosine and inner
 * product each vector is scaled to length 1 first and the mean too, so every point of the content weighs the same;
 * under L2 the plain mean (the centroid, in the data's own scale). With `checkTenant` the collections came from a
 * cache: the statement then returns at least one row, whose `fresh` column is true only if the registry still
 * holds every one of them as cached (see searchStatement).
 */
export function storedVectorsStatement(
  lookups: readonly { collection: CollectionInfo; pointIds: readonly string[]; contentIds: readonly string[] }[],
  checkTenant: string | undefined,
): { sql: string; params: unknown[] } {
  const params = new Params();
  const branches = lookups.flatMap(({ collection, pointIds, contentIds }, i) => {
    const t = table(collection);
    const mean = collection.distance === 'l2' ? 'avg(embedding)' : 'l2_normalize(avg(l2_normalize(embedding)))';
    return [
      ...(pointIds.length > 0
        ? [
            `select ${i}::int as lookup, 'point'::text as kind, id as key, content_id, embedding::text as vector_text
             from ${t} where id = any(${params.add(pointIds)}::text[])`,
          ]
        : []),
      ...(contentIds.length > 0
        ? [
            `select ${i}::int as lookup, 'mean'::text as kind, u.content_id as key, u.content_id,
               (select (${mean})::text from ${t} where ${t}.content_id = u.content_id) as vector_text
             from unnest(${params.add(contentIds)}::text[]) as u (content_id)`,
          ]
        : []),
    ];
  });
  const sql = branches.join('\nunion all\n');
  if (checkTenant === undefined) return { sql, params: params.values };
  const fresh = lookups.map(({ collection }) => freshCheck(collection, checkTenant, params)).join(' and ');
  return { sql: `select checked.fresh, found.* from (select ${fresh} as fresh) checked left join (${sql}) found on true`, params: params.values };
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
