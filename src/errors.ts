// Typed domain errors. Services throw these; src/grpc/errors.ts maps them to gRPC status codes.

export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'resource_exhausted'
  | 'unavailable'
  | 'unauthenticated'
  | 'permission_denied'
  | 'cancelled'
  | 'deadline_exceeded'
  | 'unimplemented';

/** An error whose message is safe to show the caller and says what to fix. */
export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** The request field at fault, when there is one (e.g. "collection.dimension"). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalidArgument = (message: string, field?: string) => new AppError('invalid_argument', message, field);
export const notFound = (message: string) => new AppError('not_found', message);
export const alreadyExists = (message: string) => new AppError('already_exists', message);
export const failedPrecondition = (message: string) => new AppError('failed_precondition', message);
export const resourceExhausted = (message: string) => new AppError('resource_exhausted', message);
export const unavailable = (message: string) => new AppError('unavailable', message);
export const unauthenticated = (message: string) => new AppError('unauthenticated', message);
export const permissionDenied = (message: string) => new AppError('permission_denied', message);
export const unimplemented = (message: string) => new AppError('unimplemented', message);
