// A tenant's settings (the tenancy area owns the tenants table): read and changed by an RPC and by the CLI.
import { notFound } from '../errors.js';
import type { TenancyRepository } from './tenancy.repository.js';
import type { LearningSettings } from './tenancy.types.js';

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
