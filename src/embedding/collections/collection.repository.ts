// SQL of the collections registry: creating a collection with its table, reading collections (names resolved through
// aliases), deleting one with its table.
import type { Db } from '../../db/connect.js';
import { withSession, withTransaction, type Session } from '../../db/session.js';
import { alreadyExists, failedPrecondition, invalidArgument, resourceExhausted } from '../../errors.js';
import { table } from '../embedding.sql.js';
import type { CollectionInfo, CollectionSpec, EmbeddingTypeName } from '../embedding.types.js';
import type { CollectionCache } from './collection-cache.js';
import { COLLECTION_COLUMNS, toCollection, type CollectionRow } from '../embedding.rows.js';
import { collectionNotFound, guarded, lockTenantRegistry, resolveCollections } from './collection-registry.repository.js';
import { createTableStatements, tableNameFor } from './collection-table.sql.js';

/** Repository of collections. */
export class CollectionRepository {
  constructor(
    private readonly db: Db,
    /** The searches' cache (QueryInputService): a deleted collection is dropped from it at once (searches check it anyway). */
    private readonly collectionCache: CollectionCache,
  ) {}

  /** Registers the collection and creates its table and indices, all in one transaction. */
  async createCollection(tenantId: string, spec: CollectionSpec, maxCollections: number): Promise<CollectionInfo> {
    const tableName = tableNameFor(tenantId, spec.name);
    // NOTE: the service fills in its default; a caller below it that leaves it unset gets an index at once.
    const threshold = spec.indexingThreshold ?? 0;
    return guarded(spec.name, () =>
      withTransaction(this.db, async (session) => {
        // NOTE: the tenant's registry lock serialises creates per tenant, so the checks below cannot race.
        await lockTenantRegistry(session, tenantId);
        const alias = await session.query<{ collection_name: string }>('select collection_name from collection_aliases where tenant_id = $1 and alias = $2', [
          tenantId,
          spec.name,
        ]);
        if (alias.rows[0]) {
          throw alreadyExists(`"${spec.name}" is already an alias of collection "${alias.rows[0].collection_name}"; choose another name`);
        }
        const existing = await session.query<{ n: number }>('select count(*)::int as n from collections where tenant_id = $1', [tenantId]);
        if (Number(existing.rows[0]!.n) >= maxCollections) {
          throw resourceExhausted(`this tenant already has ${existing.rows[0]!.n} collections; LIMIT_MAX_COLLECTIONS allows ${maxCollections}`);
        }
        await this.checkTextLanguage(session, spec.textLanguage ?? 'simple');
        const inserted = await session.query<CollectionRow>(
          `insert into collections (tenant_id, name, embedding_type, dimension, distance, precision, hnsw_m, hnsw_ef_construction,
             hnsw_ef_search, description, table_name, indexing_threshold, index_state, text_fields, text_language)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           on conflict do nothing
           returning ${COLLECTION_COLUMNS}`,
          [
            tenantId,
            spec.name,
            spec.embeddingType,
            spec.dimension,
            spec.distance,
            spec.precision,
            spec.hnswM,
            spec.hnswEfConstruction,
            spec.hnswEfSearch,
            spec.description,
            tableName,
            threshold,
            threshold === 0 ? 'ready' : 'none',
            spec.textFields ?? [],
            spec.textLanguage ?? 'simple',
          ],
        );
        if (inserted.rows.length === 0) throw alreadyExists(`collection "${spec.name}" already exists; choose another name or delete it first`);
        for (const statement of createTableStatements(tableName, { ...spec, indexingThreshold: threshold })) await session.query(statement);
        return toCollection(inserted.rows[0]!);
      }),
    );
  }

  /** INVALID_ARGUMENT unless the database has this text search configuration, naming those it has. */
  private async checkTextLanguage(session: Session, language: string): Promise<void> {
    const known = await session.query<{ cfgname: string }>('select cfgname from pg_ts_config order by cfgname');
    if (known.rows.some((row) => row.cfgname === language)) return;
    throw invalidArgument(
      `collection.text_language "${language}" is not a text search configuration of this database; use one of ${known.rows.map((row) => row.cfgname).join(', ')}`,
      'collection.text_language',
    );
  }

  /** The collection of this name or alias, or NOT_FOUND. */
  async getCollection(tenantId: string, name: string): Promise<CollectionInfo> {
    const found = await guarded(name, () => withSession(this.db, (session) => resolveCollections(session, tenantId, [name])));
    return found.get(name)!;
  }

  async listCollections(tenantId: string, embeddingType: EmbeddingTypeName | undefined): Promise<CollectionInfo[]> {
    const result = await guarded('*', () =>
      withSession(this.db, (session) =>
        session.query<CollectionRow>(
          `select ${COLLECTION_COLUMNS} from collections where tenant_id = $1 and ($2::text is null or embedding_type = $2) order by name`,
          [tenantId, embeddingType ?? null],
        ),
      ),
    );
    return result.rows.map(toCollection);
  }

  /**
   * Unregisters the collection and drops its table; returns how many points it held. A collection that aliases
   * point to is kept (FAILED_PRECONDITION), and an alias is not a collection name here (INVALID_ARGUMENT).
   */
  async deleteCollection(tenantId: string, name: string): Promise<number> {
    this.collectionCache.forget(tenantId, [name]);
    return guarded(name, () =>
      withTransaction(this.db, async (session) => {
        // NOTE: under the tenant's registry lock no alias can be created for it between the check and the delete.
        await lockTenantRegistry(session, tenantId);
        await this.refuseAliasedDelete(session, tenantId, name);
        const deleted = await session.query<{ table_name: string; point_count: number | string }>(
          'delete from collections where tenant_id = $1 and name = $2 returning table_name, point_count',
          [tenantId, name],
        );
        const row = deleted.rows[0];
        if (!row) throw collectionNotFound(name);
        if (this.db.kind === 'postgres') {
          // NOTE: a CREATE INDEX CONCURRENTLY running on the table waits for this transaction to end while the drop
          // below waits for its lock: a deadlock. The build is cancelled first; it sees the collection gone.
          await session.query('select pg_cancel_backend(pid) from pg_stat_progress_create_index where relid = to_regclass($1)', [row.table_name]);
        }
        await session.query(`drop table if exists ${table({ tableName: row.table_name })}`);
        return Number(row.point_count);
      }),
    );
  }

  /** Throws when `name` is an alias, or a collection that aliases point to. */
  private async refuseAliasedDelete(session: Session, tenantId: string, name: string): Promise<void> {
    const aliases = await session.query<{ alias: string; collection_name: string }>(
      'select alias, collection_name from collection_aliases where tenant_id = $1 and (collection_name = $2 or alias = $2) order by alias',
      [tenantId, name],
    );
    const self = aliases.rows.find((row) => row.alias === name);
    if (self) {
      throw invalidArgument(
        `"${name}" is an alias of collection "${self.collection_name}"; DeleteAlias removes an alias, DeleteCollection takes a collection name`,
        'name',
      );
    }
    if (aliases.rows.length > 0) {
      const names = aliases.rows.map((row) => `"${row.alias}"`).join(', ');
      throw failedPrecondition(`collection "${name}" is the target of alias ${names}; switch or delete the alias first (SwitchAlias, DeleteAlias)`);
    }
  }
}
