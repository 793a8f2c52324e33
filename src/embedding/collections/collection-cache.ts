// Per-process cache of collection metadata for the search path, with a short TTL. Entries are hints, never truth:
// every search made with a cached entry checks it against the registry in the search statement itself, and any
// error or mismatch sends the search once more through a fresh lookup.
import type { CollectionInfo } from '../embedding.types.js';

/** How long an entry is used before it is read again. */
export const COLLECTION_CACHE_TTL_MS = 10_000;

export class CollectionCache {
  private readonly entries = new Map<string, { collection: CollectionInfo; expiresAtMs: number }>();

  constructor(
    private readonly ttlMs = COLLECTION_CACHE_TTL_MS,
    /** Entries kept at most; the cache starts over when full (no eviction order to get wrong). */
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached collections, or undefined unless every name has a live entry. */
  getAll(tenantId: string, names: readonly string[], nowMs = Date.now()): Map<string, CollectionInfo> | undefined {
    const found = new Map<string, CollectionInfo>();
    for (const name of names) {
      const entry = this.entries.get(key(tenantId, name));
      if (!entry || entry.expiresAtMs <= nowMs) return undefined;
      found.set(name, entry.collection);
    }
    return found;
  }

  /** Keeps the collection under the name it was asked by: its alias when it was reached through one. */
  set(tenantId: string, collection: CollectionInfo, nowMs = Date.now()): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key(tenantId, collection.alias ?? collection.name), { collection, expiresAtMs: nowMs + this.ttlMs });
  }

  forget(tenantId: string, names: readonly string[]): void {
    for (const name of names) this.entries.delete(key(tenantId, name));
  }
}

function key(tenantId: string, name: string): string {
  return `${tenantId}\u0000${name}`;
}
