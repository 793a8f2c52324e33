// Bearer-token authentication: maps the `authorization` metadata to a tenant.
import type { Metadata } from '@grpc/grpc-js';
import type { Authenticator } from './context.js';

/** The tenant used when no tokens are configured. */
export const DEFAULT_TENANT = 'default';

/** Single-tenant mode: every caller is the default tenant. */
export const singleTenant: Authenticator = {
  async authenticate(_metadata: Metadata): Promise<string> {
    return DEFAULT_TENANT;
  },
};
