// The one place where errors become gRPC statuses.
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { AppError, type ErrorKind } from '../errors.js';
import { fromDbError } from '../db/pg-errors.js';
import type { Logger } from '../log.js';

const CODES: Record<ErrorKind, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  already_exists: status.ALREADY_EXISTS,
  failed_precondition: status.FAILED_PRECONDITION,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  unauthenticated: status.UNAUTHENTICATED,
  permission_denied: status.PERMISSION_DENIED,
  cancelled: status.CANCELLED,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  unimplemented: status.UNIMPLEMENTED,
};

export type StatusObject = Partial<ServiceError> & { code: status; details: string; metadata: Metadata };

/**
 * Turns anything thrown by a handler into the status sent to the caller. AppErrors (and known database
 * failures) keep their meaning; anything else becomes INTERNAL with a generic message, its stack logged.
 */
export function toGrpcStatus(err: unknown, log: Logger): StatusObject {
  const appError = fromDbError(err);
  const metadata = new Metadata();
  if (appError) {
    if (appError.field) metadata.set('field', appError.field);
    return { code: CODES[appError.kind], details: appError.message, metadata };
  }
  log.error({ err }, 'unexpected error');
  return { code: status.INTERNAL, details: 'internal error; it has been logged', metadata };
}

export { AppError };
