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
  /** Advice: the smallest expected improvement of the primary outcome worth advising (relative; 0.1 = 10 %). */
  adviceMinLiftFraction: number;
  /** Advice: the outcome targets are chosen on ("views", "completion_rate", "first_3s_loss", "engagement_rate"). */
  advicePrimaryOutcome: string;
}
