// Bearer-token authentication for every call: reads the `authorization` metadata.
import type { Metadata } from '@grpc/grpc-js';
import type { TokenAuthority } from '../tenancy/tokens.js';
import type { Authenticator } from './context.js';

/** Authenticates calls against the tokens in the database. */
export function tokenAuthenticator(authority: TokenAuthority): Authenticator {
  return {
    authenticate(metadata: Metadata) {
      const value = metadata.get('authorization')[0];
      return authority.tenantFor(typeof value === 'string' ? value : undefined);
    },
  };
}
