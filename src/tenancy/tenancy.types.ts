// Plain domain types of tenancy.

/** One API token as stored (its SHA-256 hash, never the token). */
export interface TokenRow {
  tokenHash: string;
  tenantId: string;
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
}
