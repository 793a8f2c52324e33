// Tenants and their API tokens, and a tenant's settings (the tenancy area owns the tenants and api_tokens tables):
// used by the CLI, the server's scheduler, the report page and the demo seeder; settings also by an RPC.
import { notFound } from '../errors.js';
import type { TenancyRepository } from './tenancy.repository.js';
import type { LearningSettings, TokenRow } from './tenancy.types.js';
import { newToken, tokenHashPrefix, tokenId } from './tokens.js';

export class TenancyService {
  constructor(private readonly repo: TenancyRepository) {}

  /** Creates a token for `tenantId` (creating the tenant too); returns the token, shown only once. */
  async createToken(tenantId: string, label = ''): Promise<{ token: string; id: string }> {
    const { token, hash } = newToken(tenantId);
    await this.repo.ensureTenant(tenantId);
    await this.repo.insertToken(hash, tenantId, label);
    return { token, id: tokenId(hash) };
  }

  /** Revokes a token given the token itself or its id; NOT_FOUND when no active token has it. */
  async revokeToken(tokenOrId: string): Promise<number> {
    const prefix = tokenHashPrefix(tokenOrId);
    const revoked = await this.repo.revokeByHashPrefix(prefix);
    if (revoked === 0) throw notFound(`no active token with id ${prefix.slice(0, 12)}`);
    return revoked;
  }

  listTokens(): Promise<TokenRow[]> {
    return this.repo.listTokens();
  }

  /** Creates the tenant when it does not exist yet. */
  ensureTenant(tenantId: string, displayName = ''): Promise<void> {
    return this.repo.ensureTenant(tenantId, displayName);
  }

  tenantExists(tenantId: string): Promise<boolean> {
    return this.repo.tenantExists(tenantId);
  }

  listTenantIds(): Promise<string[]> {
    return this.repo.listTenantIds();
  }
}

export class TenantSettingsService {
  constructor(private readonly repo: TenancyRepository) {}

  /** The tenant's learning settings; NOT_FOUND for an unknown tenant. */
  async learningSettings(tenantId: string): Promise<LearningSettings> {
    const settings = await this.repo.learningSettings(tenantId);
    if (!settings) throw notFound(`tenant "${tenantId}" does not exist; create it with "stakazo-ml tokens create --tenant ${tenantId}"`);
    return settings;
  }

  /**
   * Opts the tenant in or out of learning across artists. Takes effect at its next daily run: a tenant that stops
   * sharing no longer feeds the prior (nor receives it) from then on.
   */
  setShareLearning(tenantId: string, shareLearning: boolean): Promise<LearningSettings> {
    return this.repo.setShareLearning(tenantId, shareLearning);
  }

  /** Changes the advice settings that are given (validated by the caller's edge); taken at the next daily run. */
  setAdviceSettings(tenantId: string, changes: { minLiftFraction?: number; primaryOutcome?: string }): Promise<LearningSettings> {
    return this.repo.setAdviceSettings(tenantId, changes);
  }

  /** The advice settings the daily run uses: the tenant's, or the defaults for a tenant without a row. */
  async adviceSettings(tenantId: string): Promise<{ minLiftFraction: number; primaryOutcome: string }> {
    const settings = await this.repo.learningSettings(tenantId);
    return { minLiftFraction: settings?.adviceMinLiftFraction ?? 0.1, primaryOutcome: settings?.advicePrimaryOutcome ?? 'views' };
  }
}
