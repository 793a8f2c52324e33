// Opaque page tokens for keyset paging: the last key of a page, bound to the query that issued it.
import { createHash } from 'node:crypto';
import { invalidArgument } from '../errors.js';

interface TokenBody {
  /** The keyset position: the sort key of the last item returned. */
  k: unknown[];
  /** Fingerprint of the query's filters: a token is only valid for the query that issued it. */
  q: string;
}

/** A short fingerprint of a query's filters (anything JSON-serialisable). */
export function queryFingerprint(filters: unknown): string {
  return createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 12);
}

/** Encodes the key of the last item of a page. */
export function encodePageToken(key: unknown[], fingerprint: string): string {
  const body: TokenBody = { k: key, q: fingerprint };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** Decodes a page token; undefined for an empty token; INVALID_ARGUMENT (page_token) when foreign or malformed. */
export function decodePageToken(token: string, fingerprint: string, keyLength: number): unknown[] | undefined {
  if (token === '') return undefined;
  let body: TokenBody;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as TokenBody;
  } catch {
    throw invalidArgument('page_token is malformed; pass the next_page_token of the previous page unchanged', 'page_token');
  }
  if (!body || !Array.isArray(body.k) || body.k.length !== keyLength) {
    throw invalidArgument('page_token is malformed; pass the next_page_token of the previous page unchanged', 'page_token');
  }
  if (body.q !== fingerprint) {
    throw invalidArgument('page_token belongs to a query with other filters; repeat the same filters or start without a token', 'page_token');
  }
  return body.k;
}

/**
 * The one page-size rule of every list, scroll and query: 0 means `fallback`, otherwise a whole number in
 * 1..`max`; anything else is INVALID_ARGUMENT naming the field and the range.
 */
export function pageSizeOf(value: number, fallback: number, max: number, field = 'page_size'): number {
  if (value === 0) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw invalidArgument(`${field} is ${value}; use 1..${max}, or 0 for the default ${fallback}`, field);
  return value;
}
