// SQL of tenants and their API tokens (stored as SHA-256 hashes, never in clear).
import type { Db } from '../db/connect.js';
import { withDbErrors } from '../db/pg-errors.js';
import { withSession, type QueryResult } from '../db/session.js';
import type { LearningSettings, TokenRow } from './tenancy.types.js';

/** The columns of LearningSettings. */
const SETTINGS = `share_learning as "shareLearning", advice_min_lift_fraction as "adviceMinLiftFraction", advice_primary_outcome as "advicePrimaryOutcome"`;

export class TenancyRepository {
  constructor(private readonly db: Db) {}

  /** Runs one statement in a session of its own, with database failures as AppErrors naming `what`. */
  private query<Row = Record<string, unknown>>(what: string, sql: string, params: unknown[] = []): Promise<QueryResult<Row>> {
    return withDbErrors(what, () => withSession(this.db, (session) => session.query<Row>(sql, params)));
  }

  /** Creates the tenant if it does not exist. */
  async ensureTenant(tenantId: string, displayName = ''): Promise<void> {
    await this.query(`tenant "${tenantId}"`, 'insert into tenants (tenant_id, display_name) values ($1, $2) on conflict (tenant_id) do nothing', [
      tenantId,
      displayName,
    ]);
  }

  async insertToken(tokenHash: string, tenantId: string, label: string): Promise<void> {
    await this.query('token', 'insert into api_tokens (token_hash, tenant_id, label) values ($1, $2, $3)', [tokenHash, tenantId, label]);
  }

  /** Revokes the tokens whose hash starts with `hashPrefix`; returns how many. */
  async revokeByHashPrefix(hashPrefix: string): Promise<number> {
    const result = await this.query('token', 'update api_tokens set revoked_at = now() where token_hash like $1 and revoked_at is null', [`${hashPrefix}%`]);
    return result.rowCount;
  }

  /** Deletes every token of a tenant (tests and tenant removal). */
  async deleteTokensOf(tenantId: string): Promise<void> {
    await this.query(`tokens of tenant "${tenantId}"`, 'delete from api_tokens where tenant_id = $1', [tenantId]);
  }

  async listTokens(): Promise<TokenRow[]> {
    const result = await this.query<TokenRow>(
      'tokens',
      `select token_hash as "tokenHash", tenant_id as "tenantId", label, created_at as "createdAt", revoked_at as "revokedAt"
         from api_tokens order by created_at`,
    );
    return result.rows;
  }

  /** The tenant of an active token, or undefined. */
  async tenantOfToken(tokenHash: string): Promise<string | undefined> {
    const result = await this.query<{ tenant_id: string }>('token lookup', 'select tenant_id from api_tokens where token_hash = $1 and revoked_at is null', [
      tokenHash,
    ]);
    return result.rows[0]?.tenant_id;
  }

  /**
   * Whether any token was ever created, active or revoked (AUTH=auto runs single-tenant only when none was).
   * NOTE: revoked tokens count, so revoking the last token never turns every caller into tenant "default".
   */
  async hasAnyTokens(): Promise<boolean> {
    const result = await this.query<{ present: boolean }>('token lookup', 'select exists (select 1 from api_tokens) as present');
    return Boolean(result.rows[0]?.present);
  }

  /** Whether the tenant exists. */
  async tenantExists(tenantId: string): Promise<boolean> {
    const result = await this.query(`tenant "${tenantId}"`, 'select 1 from tenants where tenant_id = $1', [tenantId]);
    return result.rows.length > 0;
  }

  /** Every tenant id (the scheduler learns for each). */
  async listTenantIds(): Promise<string[]> {
    const result = await this.query<{ tenant_id: string }>('tenants', 'select tenant_id from tenants order by tenant_id');
    return result.rows.map((r) => r.tenant_id);
  }

  /** The tenant's learning settings, or undefined when the tenant does not exist. */
  async learningSettings(tenantId: string): Promise<LearningSettings | undefined> {
    const result = await this.query<LearningSettings>(`tenant "${tenantId}"`, `select ${SETTINGS} from tenants where tenant_id = $1`, [tenantId]);
    return result.rows[0];
  }

  /** Sets whether the tenant shares learning (creating the tenant if it does not exist); returns the settings. */
  async setShareLearning(tenantId: string, shareLearning: boolean): Promise<LearningSettings> {
    const result = await this.query<LearningSettings>(
      `tenant "${tenantId}"`,
      `insert into tenants (tenant_id, share_learning) values ($1, $2)
       on conflict (tenant_id) do update set share_learning = excluded.share_learning
       returning ${SETTINGS}`,
      [tenantId, shareLearning],
    );
    return result.rows[0]!;
  }

  /** Sets the tenant's advice settings that are given (creating the tenant if it does not exist); returns the settings. */
  async setAdviceSettings(tenantId: string, changes: { minLiftFraction?: number; primaryOutcome?: string }): Promise<LearningSettings> {
    const result = await this.query<LearningSettings>(
      `tenant "${tenantId}"`,
      `insert into tenants (tenant_id, advice_min_lift_fraction, advice_primary_outcome) values ($1, coalesce($2, 0.1), coalesce($3, 'views'))
       on conflict (tenant_id) do update
         set advice_min_lift_fraction = coalesce($2, tenants.advice_min_lift_fraction),
             advice_primary_outcome = coalesce($3, tenants.advice_primary_outcome)
       returning ${SETTINGS}`,
      [tenantId, changes.minLiftFraction ?? null, changes.primaryOutcome ?? null],
    );
    return result.rows[0]!;
  }
}
