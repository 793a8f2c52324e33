// SQL text of SearchContent (pure string building): the keyword sub-query's full-text ranking of contents and the
// re-scoring of the union (rescore). The vector sub-queries use Search's searchStatement, their examples (point_id /
// content_id) Search's storedVectorsStatement.
import type { KeywordSubQuery } from './content-search.types.js';
import { distanceOperator, filterConditions, Params, TEXT_COLUMN, table, vectorType, whereClause } from '../embedding.sql.js';
import { checkedAgainstRegistry } from '../search/search.sql.js';
import type { CollectionInfo, PointFilter } from '../embedding.types.js';

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
 * Settings of the rescore statement on PGlite, local to its transaction: no bitmap scans. PGlite never analyzes the
 * collections' tables, so the planner expects 1/200 of the table per content and reaches each content's few points
 * through a bitmap built and freed per content: about half of the statement's time for 2 × 94 contents (6.6 → 3.4
 * ms, machine busy). The plain content_id index scan pays for the three extra in-process round trips (begin,
 * setting, commit; ≈ 0.3 ms) several times over. Not on Postgres: there each round trip is a network hop and a
 * context switch (on a loaded machine they cost what the bitmaps did: 5.5 ms without, 5.7–6.0 with), and once
 * autovacuum has analyzed the table the planner picks the plain index scan by itself. GIN (the keyword's match)
 * has only bitmap scans: there the content_id index is scanned and the match checked on each of the content's
 * points.
 */
export const RESCORE_SETTINGS: Readonly<Record<string, string>> = { enable_bitmapscan: 'off' };

/**
 * Rescore's statements: the contents left to score in each sub-query (`toScore[i]`, the ones it did not return;
 * vector sub-queries, then the keyword) scored there; none when nothing is left. The sub-queries with something
 * left are shared out over at most `statements` statements (a `union all` branch each), run side by side on
 * Postgres; PGlite, one connection and no parallelism, asks for one. Rows `sub` (the sub-query's index),
 * `content_id`, `id` (its best point) and `value`: the distance to the sub-query's vector (smallest wins, ties by
 * point id), or ts_rank_cd for the keyword (largest wins); with `arrays`, one row per sub-query instead, `sub` and,
 * index for index, `content_ids`, `point_ids` and `raw_values`. A content without a point matching the sub-query
 * (its filter, the keyword) has no row there.
 * NOTE: each content's points are reached through the content_id index (a lateral join per content, kept from
 * being flattened by its `limit 1`), so the work is those contents' points, not the table's, whatever the planner
 * believes: without statistics `content_id = any($ids)` with 94 ids was estimated at half of a 6,000-point table
 * and planned as a whole-table scan (so was the flattened join). `offset 0` keeps the per-content ordering off the
 * HNSW index, which would answer `order by distance limit 1` with the table's nearest point, not the content's.
 * `arrays` is for PGlite, which pays for each row it returns (≈ 1 ms of 7 for 188 rows, machine busy) and far
 * less for arrays; on Postgres the arrays cost more than the rows (≈ 0.3 ms).
 */
export function rescoreStatements(
  vectors: readonly RescoreVector[],
  keyword: { collection: CollectionInfo; keyword: KeywordSubQuery } | undefined,
  toScore: readonly (readonly string[])[],
  options: { statements: number; arrays: boolean },
): { sql: string; params: unknown[] }[] {
  const left = toScore.flatMap((ids, sub) => (ids.length > 0 ? [sub] : []));
  const count = Math.max(1, Math.min(options.statements, left.length));
  const groups = Array.from({ length: count }, (_, g) => left.filter((_, i) => i % count === g));
  return groups
    .filter((subs) => subs.length > 0)
    .map((subs) => {
      const params = new Params();
      const branches = subs.map((sub) => rescoreBranch(sub, vectors[sub], keyword, toScore[sub]!, params));
      const scored = branches.join('\nunion all\n');
      const sql = options.arrays
        ? `select sub, array_agg(content_id) as content_ids, array_agg(id) as point_ids, array_agg(value) as raw_values
           from (${scored}) scored group by sub`
        : scored;
      return { sql, params: params.values };
    });
}

/** One sub-query's branch of a rescore statement: its contents `ids`, each with its best point there. */
function rescoreBranch(
  sub: number,
  vector: RescoreVector | undefined,
  keyword: { collection: CollectionInfo; keyword: KeywordSubQuery } | undefined,
  ids: readonly string[],
  params: Params,
): string {
  const { collection, value, conditions, order } = vector ? vectorScore(vector, params) : keywordScore(keyword!, params);
  return `select ${sub}::int as sub, u.content_id, best.id, best.value from unnest(${params.add(ids)}::text[]) as u (content_id)
     cross join lateral (
       select id, value from (
         select id, ${value} as value from ${table(collection)} ${whereClause(['content_id = u.content_id', ...conditions])} offset 0
       ) points order by value ${order}, id limit 1
     ) best`;
}

/** A point's distance to a vector sub-query's vector (smallest best), under its filter. */
function vectorScore({ collection, vector, filter }: RescoreVector, params: Params) {
  const value = `(embedding ${distanceOperator(collection.distance)} ${params.add(vector)}::${vectorType(collection)})::float8`;
  return { collection, value, conditions: filterConditions(filter, params), order: 'asc' };
}

/** A point's ts_rank_cd for the keyword sub-query (largest best), only where its text matches, under its filter. */
function keywordScore({ collection, keyword }: { collection: CollectionInfo; keyword: KeywordSubQuery }, params: Params) {
  const query = tsQuery(collection, keyword, params);
  const conditions = [`${TEXT_COLUMN} @@ ${query}`, ...filterConditions(keyword.filter, params)];
  return { collection, value: `ts_rank_cd(${TEXT_COLUMN}, ${query})::float8`, conditions, order: 'desc' };
}
