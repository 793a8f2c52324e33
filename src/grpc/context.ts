// What every handler knows about the call it serves.
import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from '../log.js';

/** The per-call context passed from the gRPC layer to services. */
export interface CallContext {
  /** The tenant the caller authenticated as; every query is scoped by it. */
  tenantId: string;
  /** Unique id of this call, echoed in logs (from `x-request-id` metadata when the caller sends one). */
  requestId: string;
  /** Logger bound to this call (method, request id, tenant). */
  log: Logger;
  /** Aborted when the client cancels or the deadline passes; pass it to long database work. */
  signal: AbortSignal;
}

/** Maps call metadata (the bearer token) to a tenant id, or throws an AppError (unauthenticated). */
export interface Authenticator {
  authenticate(metadata: Metadata): Promise<string>;
}
