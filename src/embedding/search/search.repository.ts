// SQL of searches and recommendations: the searches a service planned, run on one connection, and Recommend's
// best-score statement. Collections, vectors and checks come from the service; this runs statements and reads rows.
import type { Db } from '../../db/connect.js';
import { withSession } from '../../db/session.js';
import { guarded } from '../collections/collection-registry.repository.js';
import { toPoint, type PointRow } from '../embedding.rows.js';
import type { CollectionInfo, RecommendExamples, RecommendSearch, ScoredPoint } from '../embedding.types.js';
import { bestScoreStatement, recommendCandidateCount } from './recommend.sql.js';
import { pointAnswerBytes } from './response-budget.js';
import { hnswSettings, searchStatement } from './search.sql.js';
import type { PlannedSearch, SearchAnswer } from './search.types.js';
import { runScan, vectorParam } from './vector-scan.repository.js';

/** Repository of searches over collections' points. */
export class SearchRepository {
  constructor(private readonly db: Db) {}

  /**
   * Runs the planned searches on one connection, one statement each, answers in plan order. An approximate search is
   * one round trip once the pooled connection carries its HNSW settings (Session.useSettings); an exact one runs in a
   * transaction of its own with index scans off. With `checkTenant` the collections came from the service's cache
   * and each statement also checks its collection against the registry (SearchAnswer.fresh).
   * Stops early, answering fewer searches, after an answer that is not fresh (nothing after it would be used) or
   * once the hits read pass `stopAfterBytes` of ids and metadata (the caller's response budget would refuse them):
   * a batch too big to answer never fills memory.
   */
  async search(plans: readonly PlannedSearch[], options: { checkTenant: string | undefined; stopAfterBytes: number }): Promise<SearchAnswer[]> {
    const names = [...new Set(plans.map((plan) => plan.collection.name))];
    return guarded(names.join('", "'), () =>
      withSession(this.db, async (session) => {
        const answers: SearchAnswer[] = [];
        let bytes = 0;
        for (const { collection, options: search, vector, excludeId, filtered } of plans) {
          const statement = searchStatement(
            collection,
            search,
            vectorParam(session.binaryParams, collection.precision, vector),
            excludeId,
            options.checkTenant,
          );
          const result = await runScan<PointRow & { distance: number; fresh?: boolean }>(
            session,
            statement,
            search.exact,
            hnswSettings(collection, search, filtered),
          );
          const fresh = options.checkTenant === undefined || result.rows[0]?.fresh === true;
          const hits = result.rows.filter((row) => row.id !== null).map((row) => ({ point: toPoint(row), distance: row.distance }));
          answers.push({ fresh, hits });
          for (const hit of hits) bytes += pointAnswerBytes(hit.point);
          if (!fresh || bytes > options.stopAfterBytes) break;
        }
        return answers;
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
        const param = (values: Float32Array) => vectorParam(session.binaryParams, collection.precision, values);
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
