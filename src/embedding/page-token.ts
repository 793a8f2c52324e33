// Opaque Scroll page tokens: the last id of the previous page (keyset pagination), base64url-encoded.
import { invalidArgument } from '../errors.js';

const VERSION = 1;

/** The token that continues after `lastId`. */
export function encodePageToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ v: VERSION, after: lastId }), 'utf8').toString('base64url');
}

/** The id to continue after, or undefined for an empty token; INVALID_ARGUMENT for a token we did not issue. */
export function decodePageToken(token: string): string | undefined {
  if (token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown };
    if (parsed.v === VERSION && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw invalidArgument('page_token is not a token returned by Scroll; send next_page_token unchanged, or empty for the first page', 'page_token');
}
