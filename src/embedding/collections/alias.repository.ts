// SQL of collection aliases: create, delete, list and the atomic switch. Aliases and collections share one
// namespace per tenant; every change takes the tenant's registry lock, as CreateCollection does.
import type { Db } from '../../db/connect.js';
import { withSession, withTransaction, type Session } from '../../db/session.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../../errors.js';
import type { AliasInfo } from '../embedding.types.js';
import { collectionNotFound, guarded, lockTenantRegistry } from './collection-registry.repository.js';

interface AliasRow {
  alias: string;
  collection_name: string;
  created_at: Date;
  updated_at: Date;
}

const ALIAS_COLUMNS = 'alias, collection_name, created_at, updated_at';

function toAlias(row: AliasRow): AliasInfo {
  return { alias: row.alias, collection: row.collection_name, createdAt: row.created_at, updatedAt: row.updated_at };
}

const aliasNotFound = (alias: string) => notFound(`alias "${alias}" not found; create it with CreateAlias or check the name`);

/** Repository of collection aliases. */
export class AliasRepository {
  constructor(private readonly db: Db) {}

  /** Registers `alias` → `collection`; the alias name must be free among the tenant's collections and aliases. */
  async createAlias(tenantId: string, alias: string, collection: string): Promise<AliasInfo> {
    return guarded(collection, () =>
      withTransaction(this.db, async (session) => {
        await lockTenantRegistry(session, tenantId);
        const taken = await session.query('select 1 from collections where tenant_id = $1 and name = $2', [tenantId, alias]);
        if (taken.rows.length > 0) {
          throw invalidArgument(`alias "${alias}" is the name of a collection; an alias needs a name no collection has`, 'alias');
        }
        await this.targetDimension(session, tenantId, collection);
        const inserted = await session.query<AliasRow>(
          `insert into collection_aliases (tenant_id, alias, collection_name) values ($1, $2, $3) on conflict do nothing returning ${ALIAS_COLUMNS}`,
          [tenantId, alias, collection],
        );
        if (!inserted.rows[0]) throw alreadyExists(`alias "${alias}" already exists; use SwitchAlias to point it at another collection`);
        return toAlias(inserted.rows[0]);
      }),
    );
  }

  /** Deletes the alias; returns the collection it pointed to. */
  async deleteAlias(tenantId: string, alias: string): Promise<string> {
    const deleted = await guarded(alias, () =>
      withSession(this.db, (session) =>
        session.query<{ collection_name: string }>('delete from collection_aliases where tenant_id = $1 and alias = $2 returning collection_name', [
          tenantId,
          alias,
        ]),
      ),
    );
    if (!deleted.rows[0]) throw aliasNotFound(alias);
    return deleted.rows[0].collection_name;
  }

  /** The tenant's aliases by name, optionally only those of one collection. */
  async listAliases(tenantId: string, collection: string | undefined): Promise<AliasInfo[]> {
    const result = await guarded('*', () =>
      withSession(this.db, (session) =>
        session.query<AliasRow>(
          `select ${ALIAS_COLUMNS} from collection_aliases where tenant_id = $1 and ($2::text is null or collection_name = $2) order by alias`,
          [tenantId, collection ?? null],
        ),
      ),
    );
    return result.rows.map(toAlias);
  }

  /**
   * Points an existing alias at another collection of the same dimension, in one transaction: a caller using the
   * alias sees the old collection or the new one, never neither. Returns the alias and the previous collection.
   */
  async switchAlias(tenantId: string, alias: string, collection: string): Promise<{ alias: AliasInfo; previousCollection: string }> {
    return guarded(collection, () =>
      withTransaction(this.db, async (session) => {
        await lockTenantRegistry(session, tenantId);
        const current = await session.query<{ collection_name: string; dimension: number }>(
          `select a.collection_name, c.dimension from collection_aliases a
           join collections c on c.tenant_id = a.tenant_id and c.name = a.collection_name
           where a.tenant_id = $1 and a.alias = $2`,
          [tenantId, alias],
        );
        const previous = current.rows[0];
        if (!previous) throw aliasNotFound(alias);
        const dimension = await this.targetDimension(session, tenantId, collection);
        if (dimension !== previous.dimension) {
          throw failedPrecondition(
            `collection "${collection}" has ${dimension} dimensions but alias "${alias}" points to "${previous.collection_name}" with ${previous.dimension}; ` +
              `callers' vectors would stop fitting. Switch to a collection of ${previous.dimension} dimensions, or DeleteAlias and CreateAlias if the change is intended`,
          );
        }
        const updated = await session.query<AliasRow>(
          `update collection_aliases set collection_name = $3, updated_at = now() where tenant_id = $1 and alias = $2 returning ${ALIAS_COLUMNS}`,
          [tenantId, alias, collection],
        );
        return { alias: toAlias(updated.rows[0]!), previousCollection: previous.collection_name };
      }),
    );
  }

  /**
   * The dimension of the collection an alias is to point to. An alias is never a target (so aliases cannot form
   * chains or cycles): INVALID_ARGUMENT; an unknown name: NOT_FOUND.
   */
  private async targetDimension(session: Session, tenantId: string, collection: string): Promise<number> {
    const found = await session.query<{ dimension: number | null; aliased: string | null }>(
      `select (select dimension from collections where tenant_id = $1 and name = $2) as dimension,
              (select collection_name from collection_aliases where tenant_id = $1 and alias = $2) as aliased`,
      [tenantId, collection],
    );
    const { dimension, aliased } = found.rows[0]!;
    if (aliased !== null) {
      throw invalidArgument(`"${collection}" is itself an alias (of collection "${aliased}"); point the alias at a collection, not at an alias`, 'collection');
    }
    if (dimension === null) throw collectionNotFound(collection);
    return dimension;
  }
}
