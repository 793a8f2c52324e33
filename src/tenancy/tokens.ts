// API tokens as data: the default tenant, how a token is made and hashed, and the id shown for it. The tenancy
// service creates and revokes them; the token authentication service checks them on every call.
import { createHash, randomBytes } from 'node:crypto';
import { invalidArgument } from '../errors.js';
import { tenantIdProblem } from './tenant-id.js';

export { DEFAULT_TENANT } from './tenant-id.js';
const TOKEN_PREFIX = 'stk_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The short id shown for a token: the first 12 hex characters of its hash. */
export function tokenId(tokenHash: string): string {
  return tokenHash.slice(0, 12);
}

/** A new random token (shown once, stored only as its hash); INVALID_ARGUMENT when `tenantId` is not a valid id. */
export function newToken(tenantId: string): { token: string; hash: string } {
  const problem = tenantIdProblem(tenantId);
  if (problem) throw invalidArgument(`tenant "${tenantId}" ${problem}`);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** The hash prefix that names a token given as the token itself or its id. */
export function tokenHashPrefix(tokenOrId: string): string {
  const prefix = tokenOrId.startsWith(TOKEN_PREFIX) ? hashToken(tokenOrId) : tokenOrId.toLowerCase();
  if (!/^[0-9a-f]{12,64}$/.test(prefix)) throw invalidArgument(`"${tokenOrId}" is neither a token (stk_…) nor a token id (12 hex characters)`);
  return prefix;
}
