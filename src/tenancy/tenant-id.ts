// The form of a tenant id, in one place: the CLI checks its --tenant options with it before opening the database,
// token creation checks it too, and the tenants table has the same CHECK (migrations/…_tenants_and_tokens.ts).

/** The tenant used when no tokens exist (single-tenant local use). */
export const DEFAULT_TENANT = 'default';

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** What is wrong with `tenantId`, in words a user can act on, or undefined when it is a valid tenant id. */
export function tenantIdProblem(tenantId: string): string | undefined {
  return TENANT_ID.test(tenantId) ? undefined : `must be 1..63 characters of a-z, 0-9, "_" or "-", starting with a letter or digit`;
}
