// SQL of SearchContent's rescore: the union of the sub-queries' candidates scored in every sub-query, read into one
// column of scores per sub-query. The sub-queries' own rankings run in search.repository.ts; what they returned is
// not scored again.
import type { Db } from '../db/connect.js';
import { withSession } from '../db/session.js';
import { poolMax } from '../db/pool.js';
import { RESCORE_SETTINGS, rescoreStatements, type RescoreVector } from './content-search.sql.js';
import { rescoreWork } from './content-search.rescore.js';
import type { KeywordSubQuery, RescoredColumn, SubQueryRanking } from './content-search.types.js';
import { scoreFromDistance } from './embedding.sql.js';
import type { CollectionInfo } from './embedding.types.js';
import { guarded } from './collection-registry.repository.js';

/**
 * Every content of the union scored in every sub-query, one column per sub-query (vector sub-queries, then the
 * keyword, as `rankings`): a content a sub-query returned keeps the best point and score it returned it with (see
 * rescoreWork); the others are scored by the rescore statements, none when nothing is left. On Postgres the
 * sub-queries with something left share up to half the pool, one statement per connection side by side (as the
 * rankings do), each answering in one round trip. On PGlite (one connection) one statement, in a transaction of
 * its own for its planner setting (RESCORE_SETTINGS), its rows folded into arrays.
 * NOTE: the registry was checked by the rankings' statements just before; a collection dropped since fails with
 * NOT_FOUND, as a search on an uncached collection would.
 */
export async function rescoredColumns(
  db: Db,
  vectors: readonly RescoreVector[],
  keyword: { collection: CollectionInfo; keyword: KeywordSubQuery } | undefined,
  union: readonly string[],
  rankings: readonly SubQueryRanking[],
): Promise<RescoredColumn[]> {
  const work = rescoreWork(rankings, union);
  // NOTE: ts_rank_cd of a text that does not match is 0: the keyword's floor.
  const columns = work.map(({ found }, i): RescoredColumn & { scores: typeof found } => ({ scores: found, floor: i < vectors.length ? 'lowest' : 0 }));
  const pglite = db.kind === 'pglite';
  const toScore = work.map((w) => w.toScore);
  const statements = rescoreStatements(vectors, keyword, toScore, { statements: pglite ? 1 : Math.max(1, Math.floor(poolMax(db) / 2)), arrays: pglite });
  const names = [...new Set([...vectors, ...(keyword ? [keyword] : [])].map((v) => v.collection.name))].join('", "');
  const answers = await Promise.all(
    statements.map((statement) =>
      guarded(names, () =>
        withSession(db, async (session) => {
          if (!pglite) return (await session.query<ScoredRow>(statement.sql, statement.params)).rows;
          const folded = await session.transaction(async () => {
            await session.useLocalSettings(RESCORE_SETTINGS);
            return session.query<FoldedRows>(statement.sql, statement.params);
          });
          return folded.rows.flatMap((f) => f.content_ids.map((content_id, i) => ({ sub: f.sub, content_id, id: f.point_ids[i]!, value: f.raw_values[i]! })));
        }),
      ),
    ),
  );
  for (const row of answers.flat()) {
    const vector = vectors[row.sub];
    const value = Number(row.value);
    columns[row.sub]!.scores.set(row.content_id, { pointId: row.id, score: vector ? scoreFromDistance(vector.collection.distance, value) : value });
  }
  return columns;
}

/** A content's best point in a sub-query, as a rescore statement returns it. */
interface ScoredRow {
  sub: number;
  content_id: string;
  id: string;
  value: number;
}

/** One sub-query's rows folded into arrays (PGlite), index for index. */
interface FoldedRows {
  sub: number;
  content_ids: string[];
  point_ids: string[];
  raw_values: number[];
}
