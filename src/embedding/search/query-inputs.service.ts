// What a search-like call (Search, Recommend, SearchContent) searches with: its collections, from the per-process
// cache or the registry, and the stored vectors it starts from; and the one retry a stale cached collection earns.
import { AppError } from '../../errors.js';
import type { CollectionCache } from '../collections/collection-cache.js';
import type { CollectionInfo } from '../embedding.types.js';
import type { QueryInputRepository } from './query-inputs.repository.js';
import type { QueryInputRequest, QueryInputs } from './search.types.js';

/** A cached collection no longer matches the registry: the call is made again with a fresh lookup. */
export class StaleCollection extends Error {}

/** Errors a stale cached collection can cause: the check failed, a dropped table, a vector or type mismatch. */
function mayComeFromStaleMetadata(err: unknown): boolean {
  if (err instanceof StaleCollection) return true;
  if (err instanceof AppError) return err.kind === 'invalid_argument' || err.kind === 'not_found' || err.kind === 'failed_precondition';
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('42'));
}

/**
 * The collections and stored vectors of search-like calls.
 * NOTE: collections come from a per-process cache when it has them all, and every statement a call then runs checks
 * its collection against the registry (a `fresh` column). The calls are written as a loop: an attempt with the
 * cached collections, and when it fails in a way stale metadata can explain (a failed check, a dropped table, another
 * dimension), one more attempt with the registry's (`retryUncached`), so a collection deleted and recreated under the
 * same name never answers with stale metadata.
 */
export class QueryInputService {
  constructor(
    private readonly cache: CollectionCache,
    private readonly repository: QueryInputRepository,
  ) {}

  /** The cached collections of the request's names, or undefined unless every one is cached. */
  cached(request: QueryInputRequest): ReadonlyMap<string, CollectionInfo> | undefined {
    return this.cache.getAll(request.tenantId, request.names);
  }

  /**
   * The call's collections and the stored vectors of `lookups`: with `cached` collections only the vectors are read
   * (none: no statement), checked against the registry, StaleCollection when they no longer match; without, the
   * registry's collections too, which then go into the cache.
   */
  async read(request: QueryInputRequest, cached: ReadonlyMap<string, CollectionInfo> | undefined): Promise<QueryInputs> {
    const inputs = await this.repository.read(request, cached);
    if (!inputs.fresh) throw new StaleCollection();
    if (!cached) for (const collection of inputs.collections.values()) this.cache.set(request.tenantId, collection);
    return inputs;
  }

  /** read() with the cached collections when all are cached, once more with the registry's if they are stale. */
  async readChecked(request: QueryInputRequest): Promise<QueryInputs> {
    for (let cached = this.cached(request); ; ) {
      try {
        return await this.read(request, cached);
      } catch (err) {
        cached = this.retryUncached(request, cached, err);
      }
    }
  }

  /**
   * After a failed attempt: undefined (try once more, with the registry's collections) when the attempt used cached
   * collections and the failure may come from stale metadata; the cached entries are forgotten either way. Throws
   * `err` otherwise: cancellations, timeouts and an unavailable database are not about the metadata.
   */
  retryUncached(request: QueryInputRequest, cached: ReadonlyMap<string, CollectionInfo> | undefined, err: unknown): undefined {
    if (!cached) throw err;
    this.cache.forget(request.tenantId, request.names);
    if (!mayComeFromStaleMetadata(err)) throw err;
    return undefined;
  }
}
