// Plain domain types of tenancy.

/** One API token as stored (its SHA-256 hash, never the token). */
export interface TokenRow {
  tokenHash: string;
  tenantId: string;
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A tenant's learning settings. */
export interface LearningSettings {
  /** Whether its models' coefficients feed the shared prior and it receives that prior while its history is small. */
  shareLearning: boolean;
}
