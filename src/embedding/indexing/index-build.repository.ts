// SQL of deferred HNSW index builds: one build per collection across replicas (advisory lock), CREATE INDEX
// CONCURRENTLY on Postgres with the build's own memory and workers, an INVALID index left by a killed build
// detected and dropped, progress from pg_stat_progress_create_index. PGlite builds in-process, plainly.
import type { IndexingConfig } from '../../config.js';
import type { Db } from '../../db/connect.js';
import { withSession, type Session } from '../../db/session.js';
import { runInScope } from '../../db/work-scope.js';
import { collectionColumns, toCollection, type CollectionRow } from '../embedding.rows.js';
import { hnswIndexName, hnswIndexStatement } from '../collections/collection-table.sql.js';
import type { CollectionInfo, IndexBuildProgress } from '../embedding.types.js';
import { guarded } from '../collections/collection-registry.repository.js';

/** How a build ended: built now, found ready, left to the replica holding the lock, or the collection is gone. */
export type IndexBuildOutcome = 'built' | 'already_ready' | 'busy' | 'gone';

/** The registry row of one collection (its table name too, so a recreated collection is never confused with it). */
const THIS_COLLECTION = 'tenant_id = $1 and name = $2 and table_name = $3';

export class IndexBuildRepository {
  constructor(
    private readonly db: Db,
    private readonly settings: Pick<IndexingConfig, 'maintenanceWorkMem' | 'parallelWorkers'>,
  ) {}

  /** Marks a collection whose index is not ready as building, so GetCollection shows it at once. */
  async markBuilding(tenantId: string, collection: CollectionInfo): Promise<void> {
    await guarded(collection.name, () =>
      withSession(this.db, (session) =>
        session.query(`update collections set index_state = 'building' where ${THIS_COLLECTION} and index_state = 'none'`, [
          tenantId,
          collection.name,
          collection.tableName,
        ]),
      ),
    );
  }

  /**
   * Builds the collection's HNSW index on a connection of its own, outside any call's cancellation scope. Only
   * the holder of the collection's advisory lock builds; the others return 'busy'. On failure the state goes back
   * to none (an INVALID index it may leave is dropped by the next build).
   * NOTE: CREATE INDEX CONCURRENTLY cannot run in a transaction: the statements run one by one on the session.
   */
  build(tenantId: string, collection: CollectionInfo): Promise<IndexBuildOutcome> {
    return this.holdingBuildLock(tenantId, collection, async (session, params): Promise<IndexBuildOutcome> => {
      try {
        const current = await session.query<{ index_state: string }>(`select index_state from collections where ${THIS_COLLECTION}`, params);
        if (!current.rows[0]) return 'gone';
        if (current.rows[0].index_state === 'ready') return 'already_ready';
        await session.query(`update collections set index_state = 'building' where ${THIS_COLLECTION}`, params);
        await this.createIndex(session, collection);
        await session.query(`update collections set index_state = 'ready' where ${THIS_COLLECTION}`, params);
        return 'built';
      } catch (err) {
        await session.query(`update collections set index_state = 'none' where ${THIS_COLLECTION} and index_state = 'building'`, params).catch(() => undefined);
        // A collection deleted while its index was built (its table dropped under the build) is not a failure.
        if (!(await this.exists(params))) return 'gone';
        throw err;
      }
    });
  }

  /**
   * Settles a collection shown as building while no build of this process runs: its builder died (kill -9, crash)
   * or lives elsewhere. Postgres: the builder's advisory lock still held means a live build ('busy'; an orphaned
   * session holds it only until its statement ends); free, a valid index is the finished build ('ready', recorded
   * now), anything else needs a new build ('rebuild'). PGlite builds only in this process: 'rebuild'.
   * NOTE: a session whose server was killed goes on building until it next talks to its client: it finished a valid
   * index and held the lock, and the restarted server, refused at start-up, left the collection building forever.
   */
  settleOrphaned(tenantId: string, collection: CollectionInfo): Promise<'ready' | 'rebuild' | 'busy'> {
    if (this.db.kind !== 'postgres') return Promise.resolve('rebuild');
    return this.holdingBuildLock(tenantId, collection, async (session, params) => {
      const index = await session.query<{ valid: boolean }>('select indisvalid as valid from pg_index where indexrelid = to_regclass($1)', [
        hnswIndexName(collection.tableName),
      ]);
      if (index.rows[0]?.valid !== true) return 'rebuild' as const;
      await session.query(`update collections set index_state = 'ready' where ${THIS_COLLECTION} and index_state = 'building'`, params);
      return 'ready' as const;
    });
  }

  /**
   * Runs `fn` on a connection of its own, outside any call's cancellation scope, holding the collection's build
   * lock (a session advisory lock: one builder across replicas); 'busy' when another session holds it.
   */
  private holdingBuildLock<T>(tenantId: string, collection: CollectionInfo, fn: (session: Session, params: string[]) => Promise<T>): Promise<T | 'busy'> {
    const lockKey = `stakazo-ml index ${collection.tableName}`;
    return runInScope({}, () =>
      guarded(collection.name, () =>
        withSession(this.db, async (session) => {
          const locked = await session.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [lockKey]);
          if (!locked.rows[0]!.locked) return 'busy' as const;
          try {
            return await fn(session, [tenantId, collection.name, collection.tableName]);
          } finally {
            await session.query('select pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]);
          }
        }),
      ),
    );
  }

  /** Whether the registry row still exists, read on a connection of its own (the build's may be broken). */
  private async exists(params: string[]): Promise<boolean> {
    const found = await withSession(this.db, (session) => session.query(`select 1 from collections where ${THIS_COLLECTION}`, params)).catch(() => undefined);
    return found === undefined || found.rows.length > 0;
  }

  private async createIndex(session: Session, collection: CollectionInfo): Promise<void> {
    const concurrently = this.db.kind === 'postgres';
    const index = hnswIndexName(collection.tableName);
    // A build killed mid-way (crash, cancel, restart) leaves an INVALID index that is never used nor finished.
    const existing = await session.query<{ valid: boolean }>('select indisvalid as valid from pg_index where indexrelid = to_regclass($1)', [index]);
    if (existing.rows[0]?.valid === true) return;
    if (existing.rows[0]) await session.query(`drop index ${concurrently ? 'concurrently ' : ''}if exists ${index}`);
    if (!concurrently) {
      await session.query(hnswIndexStatement(collection.tableName, collection, false));
      return;
    }
    await session.query(`select set_config('maintenance_work_mem', $1, false), set_config('max_parallel_maintenance_workers', $2, false)`, [
      this.settings.maintenanceWorkMem,
      String(this.settings.parallelWorkers),
    ]);
    // NOTE: Postgres 14+: the build stops within a second of its client's death instead of running on, orphaned,
    // holding the build lock (the INVALID index it leaves is dropped by the next build). Older servers lack it.
    await session.query(`select set_config('client_connection_check_interval', '1000', false)`).catch(() => undefined);
    try {
      await session.query(hnswIndexStatement(collection.tableName, collection, true));
    } finally {
      await session.query('reset maintenance_work_mem');
      await session.query('reset max_parallel_maintenance_workers');
      await session.query('reset client_connection_check_interval').catch(() => undefined);
    }
  }

  /** Progress of a running build of this collection (Postgres), or undefined. */
  async progress(collection: CollectionInfo): Promise<IndexBuildProgress | undefined> {
    if (this.db.kind !== 'postgres') return undefined;
    const found = await guarded(collection.name, () =>
      withSession(this.db, (session) =>
        session.query<{ phase: string; tuples_done: string | number; tuples_total: string | number }>(
          'select phase, tuples_done, tuples_total from pg_stat_progress_create_index where relid = to_regclass($1)',
          [collection.tableName],
        ),
      ),
    );
    const row = found.rows[0];
    return row && { phase: row.phase, tuplesDone: Number(row.tuples_done), tuplesTotal: Number(row.tuples_total) };
  }

  /** Collections whose build was cut off (building) or is due (none, at or past the threshold), of every tenant. */
  async pendingBuilds(): Promise<{ tenantId: string; collection: CollectionInfo }[]> {
    const found = await guarded('*', () =>
      withSession(this.db, (session) =>
        session.query<CollectionRow & { tenant_id: string }>(
          `select c.tenant_id, ${collectionColumns('c')} from collections c
           where c.index_state = 'building' or (c.index_state = 'none' and c.indexing_threshold > 0 and c.point_count >= c.indexing_threshold)
           order by c.tenant_id, c.name`,
        ),
      ),
    );
    return found.rows.map((row) => ({ tenantId: row.tenant_id, collection: toCollection(row) }));
  }
}
