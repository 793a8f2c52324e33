// SQL of SearchContent: each sub-query's ranking of contents (a grouped vector search or the keyword search), run side
// by side, and the rescore of their union in every sub-query. Collections, vectors and checks come from the service;
// this runs statements and reads rows (raw values: distances and ts_rank_cd, scored by the service).
import type { Db } from '../../db/connect.js';
import { poolMax } from '../../db/pool.js';
import { withSession, type Session } from '../../db/session.js';
import { type AppError, invalidArgument } from '../../errors.js';
import { guarded } from '../collections/collection-registry.repository.js';
import { hnswSettings, searchStatement } from '../search/search.sql.js';
import { runScan, sendsBinaryParams, vectorParam } from '../search/vector-scan.repository.js';
import { keywordStatement, RESCORE_SETTINGS, rescoreStatements } from './content-search.sql.js';
import type { PlannedKeywordRanking, PlannedVectorRanking, RankingAnswer, RescoredRow } from './content-search.types.js';

/** Repository of SearchContent's statements. */
export class ContentSearchRepository {
  constructor(private readonly db: Db) {}

  /**
   * The sub-queries' rankings, in order (vector sub-queries, then the keyword): contents best first, each once with
   * its best point. Each sub-query runs on a connection of its own, up to half the pool at a time (one after another
   * on PGlite's single connection). With `checkTenant` the collections came from the service's cache and each
   * statement also checks its collection against the registry (RankingAnswer.fresh); after an answer that is not
   * fresh, or a failure, no further sub-query starts (fewer answers; a failure is thrown once the running ones end).
   */
  async rankings(
    vectors: readonly PlannedVectorRanking[],
    keyword: PlannedKeywordRanking | undefined,
    checkTenant: string | undefined,
  ): Promise<RankingAnswer[]> {
    const run = (name: string, ranking: (session: Session) => Promise<RankingAnswer>) => () => guarded(name, () => withSession(this.db, ranking));
    const tasks = [
      ...vectors.map((plan) => run(plan.collection.name, (session) => vectorRanking(session, plan, checkTenant))),
      ...(keyword ? [run(keyword.collection.name, (session) => keywordRanking(session, keyword, checkTenant))] : []),
    ];
    return inParallel(tasks, this.parallelSessions(), (answer) => !answer.fresh);
  }

  /**
   * Rescore: the contents left to score in each sub-query (`toScore[i]`, in ranking order) scored there, by their best
   * point (vector sub-queries: its distance, smallest best; the keyword: ts_rank_cd, largest best); a content without
   * a (matching) point there has no row. On Postgres the sub-queries with something left share up to half the pool,
   * one statement per connection side by side (as the rankings do), each answering in one round trip. On PGlite (one
   * connection) one statement, in a transaction of its own for its planner setting (RESCORE_SETTINGS), its rows
   * folded into arrays.
   * NOTE: the registry was checked by the rankings' statements just before; a collection dropped since fails with
   * NOT_FOUND, as a search on an uncached collection would.
   */
  async rescore(
    vectors: readonly Pick<PlannedVectorRanking, 'collection' | 'vector' | 'filter'>[],
    keyword: PlannedKeywordRanking | undefined,
    toScore: readonly (readonly string[])[],
  ): Promise<RescoredRow[]> {
    const pglite = this.db.kind === 'pglite';
    const binary = sendsBinaryParams(this.db);
    const params = vectors.map((v) => ({ ...v, vector: vectorParam(binary, v.collection.precision, v.vector) }));
    const statements = rescoreStatements(params, keyword, toScore, { statements: pglite ? 1 : this.parallelSessions(), arrays: pglite });
    const names = [...new Set([...vectors, ...(keyword ? [keyword] : [])].map((v) => v.collection.name))].join('", "');
    const answers = await Promise.all(
      statements.map((statement) =>
        guarded(names, () =>
          withSession(this.db, async (session): Promise<RescoredRow[]> => {
            if (!pglite) {
              const rows = (await session.query<ScoredRow>(statement.sql, statement.params)).rows;
              return rows.map((row) => ({ sub: row.sub, contentId: row.content_id, pointId: row.id, value: Number(row.value) }));
            }
            const folded = await session.transaction(async () => {
              await session.useLocalSettings(RESCORE_SETTINGS);
              return session.query<FoldedRows>(statement.sql, statement.params);
            });
            return folded.rows.flatMap((f) =>
              f.content_ids.map((contentId, i) => ({ sub: f.sub, contentId, pointId: f.point_ids[i]!, value: Number(f.raw_values[i]!) })),
            );
          }),
        ),
      ),
    );
    return answers.flat();
  }

  /** Sessions one SearchContent may hold at once: half the pool, so other callers still get connections; one on PGlite. */
  private parallelSessions(): number {
    if (this.db.kind === 'pglite') return 1;
    return Math.max(1, Math.floor(poolMax(this.db) / 2));
  }
}

/** One vector sub-query: a search grouped by content, ids and distances only. */
async function vectorRanking(session: Session, plan: PlannedVectorRanking, checkTenant: string | undefined): Promise<RankingAnswer> {
  const { collection } = plan;
  const search = {
    topK: plan.candidates,
    filter: plan.filter,
    exact: plan.exact,
    groupByContent: true,
    withVectors: false,
    idsOnly: true,
    excludeContentIds: plan.exampleContentId === undefined ? [] : [plan.exampleContentId],
  };
  const statement = searchStatement(collection, search, vectorParam(session.binaryParams, collection.precision, plan.vector), undefined, checkTenant);
  // NOTE: grouped by content, so the scan is iterative (as a filtered Search's) whether or not a filter is set.
  const settings = hnswSettings(collection, { topK: plan.candidates, efSearch: plan.efSearch, groupByContent: true }, true);
  const rows = await runScan<{ id: string | null; content_id: string; distance: number; fresh?: boolean }>(session, statement, plan.exact, settings);
  return {
    fresh: checkTenant === undefined || rows.rows[0]?.fresh === true,
    rows: rows.rows.filter((row) => row.id !== null).map((row) => ({ contentId: row.content_id, pointId: row.id!, value: row.distance })),
  };
}

/** The keyword sub-query: contents ranked by ts_rank_cd of their best matching point. */
async function keywordRanking(session: Session, { collection, keyword }: PlannedKeywordRanking, checkTenant: string | undefined): Promise<RankingAnswer> {
  const statement = keywordStatement(collection, keyword, checkTenant);
  const rows = await session
    .query<{ id: string | null; content_id: string; rank: number; fresh?: boolean }>(statement.sql, statement.params)
    .catch((err: unknown) => {
      throw keywordQueryError(err) ?? err;
    });
  return {
    fresh: checkTenant === undefined || rows.rows[0]?.fresh === true,
    rows: rows.rows.filter((row) => row.id !== null).map((row) => ({ contentId: row.content_id, pointId: row.id!, value: Number(row.rank) })),
  };
}

/**
 * The caller's keyword query that the text search parser cannot take (e.g. 33 "-" in a row: "tsquery stack too
 * small", raised as an internal error by Postgres), as INVALID_ARGUMENT naming the field; undefined for anything else.
 */
function keywordQueryError(err: unknown): AppError | undefined {
  const e = err as { code?: string; message?: string } | null;
  const reason = (e?.message ?? '').split(' - ').pop() ?? '';
  if (!/tsquery|text-search query|stack depth limit/i.test(reason) && e?.code !== '54001') return undefined;
  return invalidArgument(`keyword.query cannot be searched: ${reason}; send fewer operators ("-", "or", quotes) in a row`, 'keyword.query');
}

/**
 * Runs the tasks, at most `limit` at a time, results in task order. After a failure, or a result `stopAfter` holds
 * true for, no further task starts: the results end at the first task not run. The first failure is thrown once the
 * running ones have ended.
 */
async function inParallel<T>(tasks: readonly (() => Promise<T>)[], limit: number, stopAfter: (result: T) => boolean): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  let stopped = false;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < tasks.length && !failure && !stopped) {
      const i = next++;
      try {
        results[i] = await tasks[i]!();
        if (stopAfter(results[i]!)) stopped = true;
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  if (failure) throw failure.err;
  return results.slice(0, next);
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
