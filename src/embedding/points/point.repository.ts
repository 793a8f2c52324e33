// SQL of a collection's points: writes (binary COPY, straight in or through a staging table, keeping the registry's
// point count), reads by id and by page, deletes (by id, filter or content) and metadata updates.
import type { Db } from '../../db/connect.js';
import { withSession, withTransaction, type Session } from '../../db/session.js';
import { invalidArgument, resourceExhausted } from '../../errors.js';
import { collectionNotFound, guarded } from '../collections/collection-registry.repository.js';
import { copyRows, toPoint, type PointRow } from '../embedding.rows.js';
import { filterConditions, Params, pointColumns, table, vectorType, whereClause } from '../embedding.sql.js';
import type { CollectionInfo, Metadata, MetadataUpdateModeName, PointFilter, PointInput, PointWrite, StoredPoint, UpsertCounts } from '../embedding.types.js';

/**
 * Quotes a table name read from the registry. NOTE: not `table()`, which accepts only the emb_<hash> names this
 * area creates: DeleteContent also reaches tables registered otherwise (older rows, tests), as it always has.
 */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Repository of collections' points. */
export class PointRepository {
  constructor(private readonly db: Db) {}

  /**
   * Writes points through binary COPY into a staging table, then one INSERT … ON CONFLICT; keeps the registry's
   * point count and rolls everything back when it would pass `maxPoints`. Ids must be unique within `points`.
   * `indexDue` says the collection has no index yet and now holds at least its indexing threshold of points.
   */
  async upsertPoints(tenantId: string, collection: CollectionInfo, points: readonly PointInput[], maxPoints: number): Promise<PointWrite> {
    if (points.length === 0) return { inserted: 0, updated: 0, indexDue: false, path: 'staging' };
    const rows = copyRows(points, collection.precision);
    return guarded(collection.name, () =>
      withTransaction(this.db, async (session) => {
        await this.lockCollection(session, tenantId, collection);
        const bulk = collection.indexState === 'ready' ? undefined : await this.copyNewPoints(session, collection, rows, points.length);
        const counts = bulk ?? (await this.upsertThroughStaging(session, collection, rows));
        const registry = await this.addToPointCount(session, tenantId, collection, counts.inserted, maxPoints);
        const indexDue = registry !== undefined && registry.index_state === 'none' && Number(registry.point_count) >= Number(registry.indexing_threshold);
        return { ...counts, indexDue, path: bulk ? 'bulk_copy' : 'staging' };
      }),
    );
  }

  /**
   * Locks the collection's registry row for this transaction, NOT_FOUND when it is gone. NOTE: every writer locks
   * the registry row before its points table, in that one order: DeleteCollection (row, then DROP TABLE) and a
   * write that touched the table first and the row last deadlocked on Postgres; now one waits for the other.
   */
  private async lockCollection(session: Session, tenantId: string, collection: Pick<CollectionInfo, 'name' | 'tableName'>): Promise<void> {
    const locked = await session.query('select 1 from collections where tenant_id = $1 and name = $2 and table_name = $3 for no key update', [
      tenantId,
      collection.name,
      collection.tableName,
    ]);
    if (locked.rows.length === 0) throw collectionNotFound(collection.name);
  }

  /**
   * The bulk path of a collection without a ready index (a catalog being loaded): binary COPY straight into its
   * table inside a savepoint, no staging table. An id that exists already (23505) undoes it and returns
   * undefined, and the write takes the staging path.
   */
  private async copyNewPoints(session: Session, collection: CollectionInfo, rows: Buffer, count: number): Promise<UpsertCounts | undefined> {
    await session.query('savepoint emb_bulk');
    try {
      await session.copyFrom(`copy ${table(collection)} (id, content_id, embedding, metadata) from stdin (format binary)`, rows);
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      await session.query('rollback to savepoint emb_bulk');
      return undefined;
    }
    await session.query('release savepoint emb_bulk');
    return { inserted: count, updated: 0 };
  }

  /** COPY into a temp staging table, then one INSERT … ON CONFLICT DO UPDATE reporting inserted and updated. */
  private async upsertThroughStaging(session: Session, collection: CollectionInfo, rows: Buffer): Promise<UpsertCounts> {
    await session.query(`create temp table emb_staging (id text, content_id text, embedding ${vectorType(collection)}, metadata jsonb) on commit drop`);
    await session.copyFrom('copy emb_staging (id, content_id, embedding, metadata) from stdin (format binary)', rows);
    // NOTE: `xmax = 0` holds only for rows this statement inserted, so one statement reports inserted and
    // updated counts. Rows go in id order so that concurrent upserts lock shared ids in the same order.
    const written = await session.query<{ inserted: number; updated: number }>(
      `with written as (
         insert into ${table(collection)} as p (id, content_id, embedding, metadata)
         select id, content_id, embedding, metadata from emb_staging order by id
         on conflict (id) do update
           set content_id = excluded.content_id, embedding = excluded.embedding, metadata = excluded.metadata, updated_at = now()
         returning (p.xmax = 0) as inserted
       )
       select count(*) filter (where inserted)::int as inserted, count(*) filter (where not inserted)::int as updated from written`,
    );
    return { inserted: Number(written.rows[0]!.inserted), updated: Number(written.rows[0]!.updated) };
  }

  private async addToPointCount(
    session: Session,
    tenantId: string,
    collection: Pick<CollectionInfo, 'name' | 'tableName'>,
    delta: number,
    maxPoints = Infinity,
  ): Promise<{ point_count: number | string; index_state: string; indexing_threshold: number | string } | undefined> {
    if (delta === 0) return undefined;
    const updated = await session.query<{ point_count: number | string; index_state: string; indexing_threshold: number | string }>(
      `update collections set point_count = point_count + $3 where tenant_id = $1 and name = $2 and table_name = $4
       returning point_count, index_state, indexing_threshold`,
      [tenantId, collection.name, delta, collection.tableName],
    );
    const row = updated.rows[0];
    if (!row) throw collectionNotFound(collection.name);
    if (Number(row.point_count) > maxPoints) {
      throw resourceExhausted(
        `collection "${collection.name}" would hold ${row.point_count} points; LIMIT_MAX_POINTS_PER_COLLECTION allows ${maxPoints}; nothing of this batch was written`,
      );
    }
    return row;
  }

  /** The points with these ids, in no particular order; unknown ids are skipped. */
  async getPoints(collection: CollectionInfo, ids: readonly string[], withVectors: boolean): Promise<StoredPoint[]> {
    if (ids.length === 0) return [];
    const result = await guarded(collection.name, () =>
      withSession(this.db, (session) =>
        session.query<PointRow>(`select ${pointColumns(withVectors)} from ${table(collection)} where id = any($1::text[])`, [ids]),
      ),
    );
    return result.rows.map(toPoint);
  }

  /** Deletes by ids or by a filter; returns how many points were deleted. */
  async deletePoints(tenantId: string, collection: CollectionInfo, target: { ids: readonly string[] } | { filter: PointFilter }): Promise<number> {
    const params = new Params();
    const conditions = 'ids' in target ? [`id = any(${params.add(target.ids)}::text[])`] : filterConditions(target.filter, params);
    return guarded(collection.name, () =>
      withTransaction(this.db, async (session) => {
        await this.lockCollection(session, tenantId, collection);
        const deleted = await session.query(`delete from ${table(collection)} ${whereClause(conditions)}`, params.values);
        await this.addToPointCount(session, tenantId, collection, -deleted.rowCount);
        return deleted.rowCount;
      }),
    );
  }

  /**
   * Deletes the points of a content item from every collection of the tenant, lowering each point count by what
   * was deleted; returns how many points were deleted in all.
   * NOTE: the collection rows are locked FOR NO KEY UPDATE (in table order, so two of these never deadlock) before
   * their tables are touched: a DeleteCollection running at the same time (delete its row, drop its table) either
   * waits for this transaction or, having committed first, is skipped here; without it the table could vanish
   * between the list and the delete. The lock is the one the count update takes anyway, so it is never upgraded.
   */
  async deleteContentPoints(tenantId: string, contentId: string): Promise<number> {
    return guarded('*', () =>
      withTransaction(this.db, async (session) => {
        const locked = await session.query<{ name: string; table_name: string }>(
          'select name, table_name from collections where tenant_id = $1 order by table_name for no key update',
          [tenantId],
        );
        let deletedCount = 0;
        for (const { name, table_name } of locked.rows) {
          const deleted = await session.query(`delete from ${quoteIdentifier(table_name)} where content_id = $1`, [contentId]);
          await this.addToPointCount(session, tenantId, { name, tableName: table_name }, -deleted.rowCount);
          deletedCount += deleted.rowCount;
        }
        return deletedCount;
      }),
    );
  }

  /** Merges into or replaces the metadata of points; rolls back if a merged object passes `maxBytes`. */
  async updateMetadata(
    collection: CollectionInfo,
    ids: readonly string[],
    metadata: Metadata,
    mode: MetadataUpdateModeName,
    maxBytes: number,
  ): Promise<number> {
    const newValue = mode === 'merge' ? 'metadata || $1::jsonb' : '$1::jsonb';
    return guarded(collection.name, () =>
      withTransaction(this.db, async (session) => {
        const updated = await session.query<{ id: string; metadata_bytes: number }>(
          `update ${table(collection)} set metadata = ${newValue}, updated_at = now() where id = any($2::text[])
           returning id, octet_length(metadata::text) as metadata_bytes`,
          [JSON.stringify(metadata), ids],
        );
        const tooBig = updated.rows.find((r) => Number(r.metadata_bytes) > maxBytes);
        if (tooBig) {
          throw invalidArgument(
            `metadata of point "${tooBig.id}" would be ${tooBig.metadata_bytes} bytes after the merge; at most ${maxBytes} (LIMIT_MAX_METADATA_BYTES); nothing was updated`,
            'metadata',
          );
        }
        return updated.rows.length;
      }),
    );
  }

  /** One page of points matching the filter in id order, after `afterId`; fetches one extra row to know if more follow. */
  async scroll(collection: CollectionInfo, filter: PointFilter, afterId: string | undefined, pageSize: number, withVectors: boolean): Promise<StoredPoint[]> {
    const params = new Params();
    const conditions = filterConditions(filter, params);
    if (afterId !== undefined) conditions.push(`id > ${params.add(afterId)}`);
    const sql = `select ${pointColumns(withVectors)} from ${table(collection)} ${whereClause(conditions)} order by id limit ${params.add(pageSize + 1)}`;
    const result = await guarded(collection.name, () => withSession(this.db, (session) => session.query<PointRow>(sql, params.values)));
    return result.rows.map(toPoint);
  }
}
