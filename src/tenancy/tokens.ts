// API tokens: creation, revocation and the tenant check every call goes through.
import { createHash, randomBytes } from 'node:crypto';
import { invalidArgument, notFound, unauthenticated } from '../errors.js';
import type { AuthMode } from '../config.js';
import type { Logger } from '../log.js';
import { DEFAULT_TENANT, tenantIdProblem } from './tenant-id.js';
import type { TenancyRepository } from './tenancy.repository.js';

export { DEFAULT_TENANT } from './tenant-id.js';
const TOKEN_PREFIX = 'stk_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The short id shown for a token: the first 12 hex characters of its hash. */
export function tokenId(tokenHash: string): string {
  return tokenHash.slice(0, 12);
}

/** Creates a token for `tenantId` (creating the tenant too); returns the token, shown only once. */
export async function createToken(repo: TenancyRepository, tenantId: string, label = ''): Promise<{ token: string; id: string }> {
  const problem = tenantIdProblem(tenantId);
  if (problem) throw invalidArgument(`tenant "${tenantId}" ${problem}`);
  await repo.ensureTenant(tenantId);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const hash = hashToken(token);
  await repo.insertToken(hash, tenantId, label);
  return { token, id: tokenId(hash) };
}

/** Revokes a token given the token itself or its id. */
export async function revokeToken(repo: TenancyRepository, tokenOrId: string): Promise<number> {
  const prefix = tokenOrId.startsWith(TOKEN_PREFIX) ? hashToken(tokenOrId) : tokenOrId.toLowerCase();
  if (!/^[0-9a-f]{12,64}$/.test(prefix)) throw invalidArgument(`"${tokenOrId}" is neither a token (stk_…) nor a token id (12 hex characters)`);
  const revoked = await repo.revokeByHashPrefix(prefix);
  if (revoked === 0) throw notFound(`no active token with id ${prefix.slice(0, 12)}`);
  return revoked;
}

interface Cached<T> {
  value: T;
  expiresAt: number;
}

/**
 * Maps `authorization: Bearer <token>` to a tenant. It fails closed: in token mode a missing, malformed, unknown or
 * revoked token is UNAUTHENTICATED, and AUTH=auto enters token mode once any token was ever created (revoking the
 * last one does not leave it). Without tokens (AUTH=none, or auto before the first token) every caller is the
 * default tenant, but a call that sends a token is refused rather than served as someone else. Lookups are cached
 * for `ttlMs`, so a revocation takes effect within that time.
 */
export class TokenAuthority {
  private tokenMode?: Cached<boolean>;
  private readonly tokens = new Map<string, Cached<string | undefined>>();
  private loggedMode?: boolean;

  constructor(
    private readonly repo: TenancyRepository,
    private readonly log: Logger,
    private readonly ttlMs = 5_000,
    private readonly mode: AuthMode = 'auto',
    /** Token lookups kept at most; the cache starts over when full. */
    private readonly maxCached = 10_000,
  ) {}

  /** Whether calls need a token now. */
  private async needsTokens(now: number): Promise<boolean> {
    if (this.mode !== 'auto') return this.mode === 'tokens';
    if (!this.tokenMode || this.tokenMode.expiresAt < now) {
      this.tokenMode = { value: await this.repo.hasAnyTokens(), expiresAt: now + this.ttlMs };
      if (this.loggedMode !== this.tokenMode.value) {
        this.loggedMode = this.tokenMode.value;
        if (this.tokenMode.value) this.log.info('API tokens exist: every call must send "authorization: Bearer <token>"');
        else this.log.warn('no API token was ever created: running single-tenant, every caller is tenant "default"');
      }
    }
    return this.tokenMode.value;
  }

  async tenantFor(authorization: string | undefined): Promise<string> {
    const now = Date.now();
    if (!(await this.needsTokens(now))) {
      if (authorization && this.mode === 'auto') {
        throw unauthenticated('this service has no API tokens yet (single-tenant); send no authorization metadata, or create a token first');
      }
      return DEFAULT_TENANT;
    }
    if (!authorization) throw unauthenticated('missing "authorization: Bearer <token>" metadata');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('the authorization metadata must be "Bearer <token>"');
    const hash = hashToken(match[1]);
    let cached = this.tokens.get(hash);
    if (!cached || cached.expiresAt < now) {
      if (this.tokens.size >= this.maxCached) this.tokens.clear();
      cached = { value: await this.repo.tenantOfToken(hash), expiresAt: now + this.ttlMs };
      this.tokens.set(hash, cached);
    }
    if (!cached.value) throw unauthenticated('unknown or revoked token');
    return cached.value;
  }
}
