// The collections registry as the embedding repositories share it: resolving names (collection or alias), the
// per-tenant registry lock, and turning driver errors into AppErrors that name the collection.
import { fromDbError } from '../../db/pg-errors.js';
import type { Session } from '../../db/session.js';
import { notFound } from '../../errors.js';
import { collectionColumns, toCollection, type CollectionRow } from '../embedding.rows.js';
import type { CollectionInfo } from '../embedding.types.js';

export const collectionNotFound = (name: string) =>
  notFound(`collection "${name}" not found (no collection or alias has that name); create it first or check the name`);

/**
 * Runs `fn`, turning driver errors into AppErrors. A points table that vanished under the query (the
 * collection was deleted meanwhile, SQLSTATE 42P01) is NOT_FOUND.
 */
export async function guarded<T>(collectionName: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') throw collectionNotFound(collectionName);
    throw fromDbError(err, `collection "${collectionName}"`) ?? err;
  }
}

/**
 * Locks the tenant's row for the rest of the transaction. NOTE: every change of the tenant's names (collections
 * and aliases share one namespace) takes it first, so the checks made after it cannot race.
 */
export async function lockTenantRegistry(session: Session, tenantId: string): Promise<void> {
  const tenant = await session.query('select 1 from tenants where tenant_id = $1 for update', [tenantId]);
  if (tenant.rows.length === 0) throw notFound(`tenant "${tenantId}" does not exist`);
}

/**
 * The collections the names stand for, keyed by the name asked for: a collection name, or an alias resolved to its
 * collection (which then carries `alias`). NOT_FOUND names the first unknown one. One statement.
 */
export async function resolveCollections(session: Session, tenantId: string, names: readonly string[]): Promise<Map<string, CollectionInfo>> {
  const found = await session.query<CollectionRow & { requested: string; alias: string | null }>(
    `select n.requested, a.alias, ${collectionColumns('c')}
     from unnest($2::text[]) as n (requested)
     left join collection_aliases a on a.tenant_id = $1 and a.alias = n.requested
     join collections c on c.tenant_id = $1 and c.name = coalesce(a.collection_name, n.requested)`,
    [tenantId, names],
  );
  const collections = new Map(found.rows.map((row) => [row.requested, { ...toCollection(row), ...(row.alias === null ? {} : { alias: row.alias }) }]));
  const missing = names.find((name) => !collections.has(name));
  if (missing !== undefined) throw collectionNotFound(missing);
  return collections;
}
