// Bearer-token authentication for every call: reads the `authorization` metadata.
import type { Metadata } from '@grpc/grpc-js';
import type { TokenAuthService } from '../tenancy/token-auth.service.js';
import type { Authenticator } from './context.js';

/** Authenticates calls against the tokens in the database. */
export function tokenAuthenticator(authority: TokenAuthService): Authenticator {
  return {
    authenticate(metadata: Metadata) {
      const value = metadata.get('authorization')[0];
      return authority.tenantFor(typeof value === 'string' ? value : undefined);
    },
  };
}
