// SQL of searches and recommendations: the per-process collection cache checked in each statement, HNSW settings
// on pooled connections, exact scans, and Recommend's best-score statement.
import type { Db } from '../db/connect.js';
import { poolMax } from '../db/pool.js';
import { withSession, type QueryResult, type Session } from '../db/session.js';
import { AppError, invalidArgument, notFound } from '../errors.js';
import type { CollectionCache } from './collection-cache.js';
import { toPoint, type PointRow } from './embedding.rows.js';
import { EXACT_SEARCH_SETTINGS, freshCheck, hnswSettings, Params, scoreFromDistance, searchStatement, table } from './embedding.sql.js';
import type { CollectionInfo, RecommendExamples, RecommendSearch, ScoredPoint, SearchQuery } from './embedding.types.js';
import { binaryFieldEncoder } from './pgvector-binary.js';
import { bestScoreStatement, recommendCandidateCount } from './recommend.sql.js';
import { guarded, resolveCollections } from './collection-registry.repository.js';
import { fromPgvectorText, toPgvectorText } from './vector-codec.js';
import { rescoredColumns } from './content-search.repository.js';
import { contentMeanStatement, keywordStatement, pointExampleStatement } from './content-search.sql.js';
import { unionOfCandidates } from './content-search.rescore.js';
import type { ContentSearchQuery, KeywordSubQuery, RescoredColumn, SubQueryRanking, VectorSubQuery } from './content-search.types.js';

/** The vectors of example rows by id (rows without an id come from a left join that found none). */
function vectorsOf(rows: readonly { id: string | null; vector_text: string | null }[]): Map<string, Float32Array> {
  const vectors = new Map<string, Float32Array>();
  for (const row of rows) if (row.id !== null && row.vector_text !== null) vectors.set(row.id, fromPgvectorText(row.vector_text));
  return vectors;
}

/** A cached collection no longer matches the registry: the search is made again with a fresh lookup. */
class StaleCollection extends Error {}

/** Errors a stale cached collection can cause: the check failed, a dropped table, a vector or type mismatch. */
function mayComeFromStaleMetadata(err: unknown): boolean {
  if (err instanceof StaleCollection) return true;
  if (err instanceof AppError) return err.kind === 'invalid_argument' || err.kind === 'not_found' || err.kind === 'failed_precondition';
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('42'));
}

/** The query vector as a parameter: pgvector's binary form where the driver sends it so, else its text form. */
function vectorParam(session: Session, collection: CollectionInfo, values: Float32Array): unknown {
  return session.binaryParams ? binaryFieldEncoder(collection.precision)(values) : toPgvectorText(values);
}

/**
 * Runs a search statement: an approximate one on the pooled connection with its HNSW settings (set only when they
 * differ, Session.useSettings); an exact one in a transaction of its own with index scans off.
 */
async function runScan<Row>(
  session: Session,
  statement: { sql: string; params: unknown[] },
  exact: boolean,
  settings: Record<string, string>,
): Promise<QueryResult<Row>> {
  if (exact) {
    return session.transaction(async () => {
      await session.useLocalSettings(EXACT_SEARCH_SETTINGS);
      return session.query<Row>(statement.sql, statement.params);
    });
  }
  await session.useSettings(settings);
  return session.query<Row>(statement.sql, statement.params);
}

/**
 * Runs the tasks, at most `limit` at a time, results in task order. After a failure no further task starts; the
 * first failure is thrown once the running ones have ended.
 */
async function inParallel<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < tasks.length && !failure) {
      const i = next++;
      try {
        results[i] = await tasks[i]!();
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  if (failure) throw failure.err;
  return results;
}

/** SearchContent's rankings, and with rescore the union's contents scored in every sub-query. */
export interface ContentRankings {
  rankings: SubQueryRanking[];
  rescored?: { union: string[]; columns: RescoredColumn[] };
}

/** Repository of searches over collections' points. */
export class SearchRepository {
  constructor(
    private readonly db: Db,
    /** Collection metadata for searches; see search(). */
    private readonly collectionCache: CollectionCache,
  ) {}

  /**
   * Runs searches on one connection: lets `plan` check the queries against the named collections, then per
   * search reads the more-like-this vector if needed and runs the one search statement. An approximate search
   * is one round trip once the pooled connection carries its HNSW settings (Session.useSettings); an exact one
   * runs in a transaction of its own with index scans off.
   * NOTE: the collections come from a per-process cache when it has them all; each search statement then also
   * checks its collection against the registry, and any mismatch or error (dropped table, other dimension, failed
   * check) sends the whole search once more through a fresh lookup, so a collection deleted and recreated under
   * the same name never answers with stale metadata.
   */
  async search(
    tenantId: string,
    names: readonly string[],
    plan: (collections: ReadonlyMap<string, CollectionInfo>) => readonly { collection: CollectionInfo; query: SearchQuery; filtered: boolean }[],
    onHits: (hits: readonly ScoredPoint[]) => void = () => undefined,
  ): Promise<ScoredPoint[][]> {
    const cached = this.collectionCache.getAll(tenantId, names);
    if (cached) {
      try {
        return await this.searchIn(tenantId, names, plan, cached, onHits);
      } catch (err) {
        this.collectionCache.forget(tenantId, names);
        // Cancellations, timeouts and an unavailable database are not about the metadata: no second try.
        if (!mayComeFromStaleMetadata(err)) throw err;
      }
    }
    return this.searchIn(tenantId, names, plan, undefined, onHits);
  }

  private async searchIn(
    tenantId: string,
    names: readonly string[],
    plan: (collections: ReadonlyMap<string, CollectionInfo>) => readonly { collection: CollectionInfo; query: SearchQuery; filtered: boolean }[],
    cached: ReadonlyMap<string, CollectionInfo> | undefined,
    onHits: (hits: readonly ScoredPoint[]) => void,
  ): Promise<ScoredPoint[][]> {
    return guarded(names.join('", "'), () =>
      withSession(this.db, async (session) => {
        const collections = cached ?? (await this.readCollections(session, tenantId, names));
        const results: ScoredPoint[][] = [];
        for (const { collection, query, filtered } of plan(collections)) {
          const vector = query.vector ? vectorParam(session, collection, query.vector) : await this.vectorTextOf(session, collection, query.pointId!);
          const statement = searchStatement(collection, query, vector, query.pointId, cached ? tenantId : undefined);
          const rows = await runScan<PointRow & { distance: number; fresh?: boolean }>(
            session,
            statement,
            query.exact,
            hnswSettings(collection, query, filtered),
          );
          if (cached && rows.rows[0]?.fresh !== true) throw new StaleCollection();
          const hits = rows.rows
            .filter((row) => row.id !== null)
            .map((row) => ({ point: toPoint(row), distance: row.distance, score: scoreFromDistance(collection.distance, row.distance) }));
          onHits(hits);
          results.push(hits);
        }
        return results;
      }),
    );
  }

  /**
   * SearchContent's per-sub-query rankings of contents, in request order (vector sub-queries, then keyword). The
   * collections come from the cache (checked in every statement) or the registry, as in search(); `check` refuses
   * sub-queries that do not fit them before any runs. Each sub-query then runs on a connection of its own, up to
   * half the pool at a time (one after another on PGlite's single connection). With `rescore`, the union of their
   * candidates is then scored in every sub-query (`rescored`, one column per sub-query): by the rescore's statements
   * for the contents a sub-query did not return (rescoredColumns), its own scores for those it did.
   */
  async contentRankings(
    tenantId: string,
    query: ContentSearchQuery,
    check: (collections: ReadonlyMap<string, CollectionInfo>) => void,
  ): Promise<ContentRankings> {
    const names = [...new Set([...query.subQueries.map((q) => q.collection), ...(query.keyword ? [query.keyword.collection] : [])])];
    const cached = this.collectionCache.getAll(tenantId, names);
    if (cached) {
      try {
        return await this.rankingsIn(query, check, cached, tenantId);
      } catch (err) {
        this.collectionCache.forget(tenantId, names);
        if (!mayComeFromStaleMetadata(err)) throw err;
      }
    }
    const collections = await guarded(names.join('", "'), () => withSession(this.db, (session) => this.readCollections(session, tenantId, names)));
    return this.rankingsIn(query, check, collections, undefined);
  }

  private async rankingsIn(
    query: ContentSearchQuery,
    check: (collections: ReadonlyMap<string, CollectionInfo>) => void,
    collections: ReadonlyMap<string, CollectionInfo>,
    checkTenant: string | undefined,
  ): Promise<ContentRankings> {
    check(collections);
    const run =
      <T>(name: string, ranking: (session: Session, collection: CollectionInfo) => Promise<T>) =>
      () =>
        guarded(name, () => withSession(this.db, (session) => ranking(session, collections.get(name)!)));
    const vectorTasks = query.subQueries.map((subQuery, i) =>
      run(subQuery.collection, (session, collection) => this.vectorRanking(session, collection, subQuery, i, query.exact, checkTenant)),
    );
    const keyword = query.keyword;
    const keywordTask = keyword ? [run(keyword.collection, (session, collection) => this.keywordRanking(session, collection, keyword, checkTenant))] : [];
    const found = await inParallel<SubQueryRanking & { vector?: unknown }>([...vectorTasks, ...keywordTask], this.parallelSessions());
    const rankings = found.map(({ vector: _, ...ranking }) => ranking);
    if (!query.rescore) return { rankings };
    const vectors = query.subQueries.map((subQuery, i) => ({
      collection: collections.get(subQuery.collection)!,
      vector: found[i]!.vector,
      filter: subQuery.filter,
    }));
    const union = unionOfCandidates(rankings);
    const keywordCollection = keyword && { collection: collections.get(keyword.collection)!, keyword };
    return { rankings, rescored: { union, columns: await rescoredColumns(this.db, vectors, keywordCollection, union, rankings) } };
  }

  /** Sessions one SearchContent may hold at once: half the pool, so other callers still get connections; one on PGlite. */
  private parallelSessions(): number {
    if (this.db.kind === 'pglite') return 1;
    return Math.max(1, Math.floor(poolMax(this.db) / 2));
  }

  /**
   * One vector sub-query: its example resolved (point or content mean), then a grouped search by content. Returns
   * the query vector it searched near too (as a parameter value), for rescore.
   */
  private async vectorRanking(
    session: Session,
    collection: CollectionInfo,
    subQuery: VectorSubQuery,
    index: number,
    exact: boolean,
    checkTenant: string | undefined,
  ): Promise<SubQueryRanking & { vector: unknown }> {
    const { target } = subQuery;
    let vector: unknown;
    let exampleContentId: string | undefined;
    if ('vector' in target) {
      vector = vectorParam(session, collection, target.vector);
    } else if ('pointId' in target) {
      const found = await session.query<{ vector_text: string; content_id: string }>(pointExampleStatement(collection), [target.pointId]);
      const row = found.rows[0];
      if (!row) throw notFound(`sub_queries[${index}].point_id: point "${target.pointId}" not found in collection "${collection.name}"`);
      vector = row.vector_text;
      exampleContentId = row.content_id;
    } else {
      const found = await session.query<{ vector_text: string | null }>(contentMeanStatement(collection), [target.contentId]);
      const text = found.rows[0]?.vector_text ?? null;
      if (text === null) throw notFound(`sub_queries[${index}].content_id: content "${target.contentId}" has no point in collection "${collection.name}"`);
      if (collection.distance !== 'l2' && fromPgvectorText(text).every((x) => x === 0)) {
        throw invalidArgument(
          `sub_queries[${index}].content_id: the points of content "${target.contentId}" cancel out (their mean has no direction); search by one of its points instead`,
          `sub_queries[${index}].content_id`,
        );
      }
      vector = text;
      exampleContentId = target.contentId;
    }
    const search = {
      topK: subQuery.candidates,
      filter: subQuery.filter,
      exact,
      groupByContent: true,
      withVectors: false,
      idsOnly: true,
      excludeContentIds: exampleContentId === undefined ? [] : [exampleContentId],
    };
    const statement = searchStatement(collection, search, vector, undefined, checkTenant);
    // NOTE: grouped by content, so the scan is iterative (as a filtered Search's) whether or not a filter is set.
    const settings = hnswSettings(collection, { topK: subQuery.candidates, efSearch: subQuery.efSearch, groupByContent: true }, true);
    const rows = await runScan<{ id: string | null; content_id: string; distance: number; fresh?: boolean }>(session, statement, exact, settings);
    if (checkTenant !== undefined && rows.rows[0]?.fresh !== true) throw new StaleCollection();
    const candidates = rows.rows
      .filter((row) => row.id !== null)
      .map((row) => ({ contentId: row.content_id, pointId: row.id!, score: scoreFromDistance(collection.distance, row.distance) }));
    return exampleContentId === undefined ? { candidates, vector } : { candidates, exampleContentId, vector };
  }

  /** The keyword sub-query: contents ranked by ts_rank_cd of their best matching point. */
  private async keywordRanking(
    session: Session,
    collection: CollectionInfo,
    keyword: KeywordSubQuery,
    checkTenant: string | undefined,
  ): Promise<SubQueryRanking> {
    const statement = keywordStatement(collection, keyword, checkTenant);
    const rows = await session
      .query<{ id: string | null; content_id: string; rank: number; fresh?: boolean }>(statement.sql, statement.params)
      .catch((err: unknown) => {
        throw keywordQueryError(err) ?? err;
      });
    if (checkTenant !== undefined && rows.rows[0]?.fresh !== true) throw new StaleCollection();
    return { candidates: rows.rows.filter((row) => row.id !== null).map((row) => ({ contentId: row.content_id, pointId: row.id!, score: Number(row.rank) })) };
  }

  /** The named collections (or aliases) from the registry (NOT_FOUND for a missing one); refreshes the cache. */
  private async readCollections(session: Session, tenantId: string, names: readonly string[]): Promise<Map<string, CollectionInfo>> {
    const collections = await resolveCollections(session, tenantId, names);
    for (const collection of collections.values()) this.collectionCache.set(tenantId, collection);
    return collections;
  }

  private async vectorTextOf(session: Session, collection: CollectionInfo, pointId: string): Promise<string> {
    const result = await session.query<{ vector_text: string }>(`select embedding::text as vector_text from ${table(collection)} where id = $1`, [pointId]);
    const row = result.rows[0];
    if (!row) throw notFound(`point "${pointId}" not found in collection "${collection.name}"; search by vector or upsert it first`);
    return row.vector_text;
  }

  /**
   * Recommend's first step: the collection (a name or alias) and the stored vectors of the example ids. On a warm
   * collection cache this is one statement, reading the examples from the cached collection's table while checking
   * the cached entry against the registry (as a search does); a stale or missing entry is read afresh (two
   * statements on one connection). The search that follows is then the recommendation's only other round trip.
   */
  async collectionWithVectors(
    tenantId: string,
    name: string,
    ids: readonly string[],
  ): Promise<{ collection: CollectionInfo; vectors: Map<string, Float32Array> }> {
    const cached = this.collectionCache.getAll(tenantId, [name])?.get(name);
    if (cached) {
      try {
        const params = new Params();
        const fresh = freshCheck(cached, tenantId, params);
        const examples = `select id, embedding::text as vector_text from ${table(cached)} where id = any(${params.add(ids)}::text[])`;
        const result = await guarded(name, () =>
          withSession(this.db, (session) =>
            session.query<{ fresh: boolean; id: string | null; vector_text: string | null }>(
              `select checked.fresh, examples.* from (select ${fresh} as fresh) checked left join (${examples}) examples on true`,
              params.values,
            ),
          ),
        );
        if (result.rows[0]?.fresh === true) return { collection: cached, vectors: vectorsOf(result.rows) };
      } catch (err) {
        if (!mayComeFromStaleMetadata(err)) throw err;
      }
      this.collectionCache.forget(tenantId, [name]);
    }
    return guarded(name, () =>
      withSession(this.db, async (session) => {
        const collection = (await this.readCollections(session, tenantId, [name])).get(name)!;
        const rows = await session.query<{ id: string; vector_text: string }>(
          `select id, embedding::text as vector_text from ${table(collection)} where id = any($1::text[])`,
          [ids],
        );
        return { collection, vectors: vectorsOf(rows.rows) };
      }),
    );
  }

  /**
   * Recommend's best-score strategy on one connection: every candidate is scored against every example in SQL.
   * Candidates are the nearest neighbours of each positive example through the index (filter and exclusions
   * applied while scanning), or every matching point when exact.
   */
  async recommendBestScore(collection: CollectionInfo, search: RecommendSearch, examples: RecommendExamples): Promise<ScoredPoint[]> {
    return guarded(collection.name, () =>
      withSession(this.db, async (session) => {
        const param = (values: Float32Array) => vectorParam(session, collection, values);
        const statement = bestScoreStatement(collection, search, examples.positive.map(param), examples.negative.map(param));
        // NOTE: hnsw.ef_search is at most 1000; iterative scans carry a candidate list past it.
        const candidates = Math.min(recommendCandidateCount(search.topK, search.groupByContent), 1000);
        const settings = hnswSettings(collection, { ...search, topK: candidates }, true);
        const rows = await runScan<PointRow & { distance: number; score: number }>(session, statement, search.exact, settings);
        return rows.rows.map((row) => ({ point: toPoint(row), distance: row.distance, score: row.score }));
      }),
    );
  }
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
