// SQL text of SearchContent (pure string building): the keyword sub-query's full-text ranking of contents and the
// example lookups of point_id / content_id sub-queries. The vector sub-queries use Search's searchStatement.
import type { KeywordSubQuery } from './content-search.types.js';
import { checkedAgainstRegistry, filterConditions, Params, TEXT_COLUMN, table, whereClause } from './embedding.sql.js';
import type { CollectionInfo } from './embedding.types.js';

/**
 * The contents whose points match the keyword query, each once with its best point, ranked by ts_rank_cd (cover
 * density) best first, at most `candidates`. The match uses the collection's GIN index on its tsvector column.
 * NOTE: every matching point is ranked before the best ones are kept: ts_rank_cd has no index order to stop early.
 */
export function keywordStatement(collection: CollectionInfo, keyword: KeywordSubQuery, checkTenant?: string): { sql: string; params: unknown[] } {
  const params = new Params();
  const t = table(collection);
  const query = `websearch_to_tsquery(${params.add(collection.textLanguage)}::regconfig, ${params.add(keyword.text)})`;
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
