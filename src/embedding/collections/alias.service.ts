// Collection aliases: a second name that every point RPC accepts, switched atomically to re-index without downtime.
import type { AliasRepository } from './alias.repository.js';
import type { AliasInfo } from '../embedding.types.js';

export class AliasService {
  constructor(private readonly repository: AliasRepository) {}

  createAlias(tenantId: string, alias: string, collection: string): Promise<AliasInfo> {
    return this.repository.createAlias(tenantId, alias, collection);
  }

  /** Returns the collection the alias pointed to. */
  deleteAlias(tenantId: string, alias: string): Promise<string> {
    return this.repository.deleteAlias(tenantId, alias);
  }

  listAliases(tenantId: string, collection: string | undefined): Promise<AliasInfo[]> {
    return this.repository.listAliases(tenantId, collection);
  }

  /** Points the alias at `collection` (same dimension) in one transaction; returns it and the previous collection. */
  switchAlias(tenantId: string, alias: string, collection: string): Promise<{ alias: AliasInfo; previousCollection: string }> {
    return this.repository.switchAlias(tenantId, alias, collection);
  }
}
