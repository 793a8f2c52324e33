// What a point filter selects, as the edge and the service both need to know it: whether it restricts anything,
// and the fingerprint that ties a Scroll page token to its collection and filter.
import { queryFingerprint } from '../../domain/paging.js';
import type { PointFilter } from '../embedding.types.js';

/** True when the filter restricts nothing. */
export function filterIsEmpty(filter: PointFilter): boolean {
  return filter.contentIds.length === 0 && !filter.createdAfter && !filter.createdBefore && Object.keys(filter.metadataContains ?? {}).length === 0;
}

/** Ties a Scroll page token to the collection and filter that issued it. */
export function scrollFingerprint(collection: string, filter: unknown): string {
  return queryFingerprint(['scroll', collection, filter]);
}
