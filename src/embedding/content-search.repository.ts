// SQL of SearchContent's rescore: the union of the sub-queries' candidates scored in every sub-query, read into one
// column of scores per sub-query. The sub-queries' own rankings run in search.repository.ts.
import type { Db } from '../db/connect.js';
import { withSession } from '../db/session.js';
import { rescoreStatement, type RescoreVector } from './content-search.sql.js';
import type { KeywordSubQuery, RescoredColumn } from './content-search.types.js';
import { scoreFromDistance } from './embedding.sql.js';
import type { CollectionInfo } from './embedding.types.js';
import { guarded } from './collection-registry.repository.js';

type Scores = Map<string, { pointId: string; score: number }>;

/**
 * Every content of the union scored in every sub-query, one column per sub-query (vector sub-queries, then the
 * keyword): one statement, so one snapshot and one round trip. NOTE: the registry was checked by the rankings'
 * statements just before; a collection dropped since fails with NOT_FOUND, as a search on an uncached collection
 * would.
 */
export async function rescoredColumns(
  db: Db,
  vectors: readonly RescoreVector[],
  keyword: { collection: CollectionInfo; keyword: KeywordSubQuery } | undefined,
  union: readonly string[],
): Promise<RescoredColumn[]> {
  const columns = vectors.map((): RescoredColumn & { scores: Scores } => ({ scores: new Map(), floor: 'lowest' }));
  // NOTE: ts_rank_cd of a text that does not match is 0: the keyword's floor.
  const keywordColumn: RescoredColumn & { scores: Scores } = { scores: new Map(), floor: 0 };
  if (union.length > 0) {
    const statement = rescoreStatement(vectors, keyword, union);
    const names = [...new Set([...vectors, ...(keyword ? [keyword] : [])].map((v) => v.collection.name))].join('", "');
    const rows = await guarded(names, () =>
      withSession(db, (session) => session.query<{ sub: number; content_id: string; id: string; value: number }>(statement.sql, statement.params)),
    );
    for (const row of rows.rows) {
      const vector = vectors[row.sub];
      const score = vector ? scoreFromDistance(vector.collection.distance, Number(row.value)) : Number(row.value);
      (vector ? columns[row.sub]! : keywordColumn).scores.set(row.content_id, { pointId: row.id, score });
    }
  }
  return keyword ? [...columns, keywordColumn] : columns;
}
