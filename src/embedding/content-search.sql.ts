// SQL text of SearchContent (pure string building): the keyword sub-query's full-text ranking of contents, the
// example lookups of point_id / content_id sub-queries, and the re-scoring of the union (rescore). The vector
// sub-queries use Search's searchStatement.
import type { KeywordSubQuery } from './content-search.types.js';
import { checkedAgainstRegistry, distanceOperator, filterConditions, Params, TEXT_COLUMN, table, vectorType, whereClause } from './embedding.sql.js';
import type { CollectionInfo, PointFilter } from './embedding.types.js';

/**
 * The contents whose points match the keyword query, each once with its best point, ranked by ts_rank_cd (cover
 * density) best first, at most `candidates`. The match uses the collection's GIN index on its tsvector column.
 * NOTE: every matching point is ranked before the best ones are kept: ts_rank_cd has no index order to stop early.
 */
export function keywordStatement(collection: CollectionInfo, keyword: KeywordSubQuery, checkTenant?: string): { sql: string; params: unknown[] } {
  const params = new Params();
  const t = table(collection);
  const query = tsQuery(collection, keyword, params);
  const conditions = [`${TEXT_COLUMN} @@ ${query}`, ...filterConditions(keyword.filter, params)];
  const sql = `with matches as materialized (
       select id, content_id, ts_rank_cd(${TEXT_COLUMN}, ${query})::float8 as rank from ${t} ${whereClause(conditions)}
     ),
     best as (select distinct on (content_id) id, content_id, rank from matches order by content_id, rank desc, id)
     select * from best order by rank desc, content_id limit ${params.add(keyword.candidates)}`;
  return checkedAgainstRegistry(sql, params, collection, checkTenant, 'found.rank desc, found.content_id');
}

/** A stored point's vector (pgvector text form) and content, by id ($1). */
export function pointExampleStatement(collection: CollectionInfo): string {
  return `select embedding::text as vector_text, content_id from ${table(collection)} where id = $1`;
}

/**
 * The mean of a content's vectors ($1) in pgvector text form, null when it has no point. Under cosine and inner
 * product each vector is scaled to length 1 first and the mean too, so every point of the content weighs the same;
 * under L2 the plain mean (the centroid, in the data's own scale).
 */
export function contentMeanStatement(collection: CollectionInfo): string {
  const mean = collection.distance === 'l2' ? 'avg(embedding)' : 'l2_normalize(avg(l2_normalize(embedding)))';
  return `select (${mean})::text as vector_text from ${table(collection)} where content_id = $1`;
}

/** The keyword sub-query's text as a tsquery of the collection's language. */
function tsQuery(collection: CollectionInfo, keyword: KeywordSubQuery, params: Params): string {
  return `websearch_to_tsquery(${params.add(collection.textLanguage)}::regconfig, ${params.add(keyword.text)})`;
}

/** A vector sub-query to re-score: its collection, its query vector (as a parameter value) and its filter. */
export interface RescoreVector {
  collection: CollectionInfo;
  vector: unknown;
  filter: PointFilter;
}

/**
 * Rescore's one statement: every content of the union scored in every sub-query, on one snapshot. Rows `sub` (the
 * sub-query's index: vector sub-queries, then the keyword), `content_id`, `id` (its best point) and `value`: the
 * distance to the sub-query's vector (smallest wins, ties by point id), or ts_rank_cd for the keyword (largest
 * wins). A content without a point matching the sub-query (its filter, the keyword) has no row there.
 * NOTE: each content's points are reached through the content_id index (a lateral join per content), so the work
 * is the union's points, not the table's; `= any(array)` instead made the planner weigh every id (21 ms of
 * planning for 200 ids on PGlite) or hash-join a whole-table scan. `offset 0` keeps the per-content ordering off
 * the HNSW index, which would answer `order by distance limit 1` with the table's nearest point, not the content's.
 */
export function rescoreStatement(
  vectors: readonly RescoreVector[],
  keyword: { collection: CollectionInfo; keyword: KeywordSubQuery } | undefined,
  union: readonly string[],
): { sql: string; params: unknown[] } {
  const params = new Params();
  const ids = `${params.add(union)}::text[]`;
  const branch = (sub: number, collection: CollectionInfo, value: string, conditions: string[], order: string) =>
    `select ${sub}::int as sub, u.content_id, best.id, best.value from unnest(${ids}) as u (content_id)
     cross join lateral (
       select id, value from (
         select id, ${value} as value from ${table(collection)} ${whereClause(['content_id = u.content_id', ...conditions])} offset 0
       ) points order by value ${order}, id limit 1
     ) best`;
  const branches = vectors.map(({ collection, vector, filter }, i) => {
    const distance = `(embedding ${distanceOperator(collection.distance)} ${params.add(vector)}::${vectorType(collection)})::float8`;
    return branch(i, collection, distance, filterConditions(filter, params), 'asc');
  });
  if (keyword) {
    const query = tsQuery(keyword.collection, keyword.keyword, params);
    const conditions = [`${TEXT_COLUMN} @@ ${query}`, ...filterConditions(keyword.keyword.filter, params)];
    branches.push(branch(vectors.length, keyword.collection, `ts_rank_cd(${TEXT_COLUMN}, ${query})::float8`, conditions, 'desc'));
  }
  return { sql: branches.join('\nunion all\n'), params: params.values };
}
