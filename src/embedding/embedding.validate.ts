// Field checks every request of the embedding area shares: a collection name, an enum's name, a point or content id.
// Each kind of operation validates its requests beside it (collections/, points/, search/, content-search/).
import { nulProblem } from '../domain/text.js';
import { invalidArgument } from '../errors.js';

export const MAX_ID_LENGTH = 256;
const COLLECTION_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/** A collection name as stored: 1..63 of a-z, 0-9, `_`, `-`, starting with a letter. */
export function validateCollectionName(name: string, field = 'collection'): string {
  if (name === '') throw invalidArgument(`${field} is empty; name the collection`, field);
  if (!COLLECTION_NAME.test(name)) {
    throw invalidArgument(`${field} "${name.slice(0, 80)}" is not a valid name: use 1..63 characters of a-z, 0-9, "_" and "-", starting with a letter`, field);
  }
  return name;
}

/** An enum's lower-case name among `allowed`; "unspecified" becomes `fallback` when there is one. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], fallback: T | undefined, field: string): T {
  if (value === 'unspecified' && fallback) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw invalidArgument(`${field} must be one of ${allowed.join(', ')} (got ${value})`, field);
}

/** A point or content id: 1..256 characters. */
export function validateId(id: string, field: string): string {
  if (id === '') throw invalidArgument(`${field} is empty; give it 1..${MAX_ID_LENGTH} characters`, field);
  if (id.length > MAX_ID_LENGTH) throw invalidArgument(`${field} has ${id.length} characters; at most ${MAX_ID_LENGTH}`, field);
  const nul = nulProblem(id);
  if (nul) throw invalidArgument(`${field} ${nul}`, field);
  return id;
}
