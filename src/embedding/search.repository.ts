// SQL of searches and recommendations: the per-process collection cache checked in each statement, HNSW settings
// on pooled connections, exact scans, and Recommend's best-score statement.
import type { Db } from '../db/connect.js';
import { withSession, type QueryResult, type Session } from '../db/session.js';
import { AppError, notFound } from '../errors.js';
import type { CollectionCache } from './collection-cache.js';
import { toPoint, type PointRow } from './embedding.rows.js';
import { EXACT_SEARCH_SETTINGS, freshCheck, hnswSettings, Params, scoreFromDistance, searchStatement, table } from './embedding.sql.js';
import type { CollectionInfo, RecommendExamples, RecommendSearch, ScoredPoint, SearchQuery } from './embedding.types.js';
import { binaryFieldEncoder } from './pgvector-binary.js';
import { bestScoreStatement, recommendCandidateCount } from './recommend.sql.js';
import { guarded, resolveCollections } from './registry.js';
import { fromPgvectorText, toPgvectorText } from './vector-codec.js';

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
