// Maps Postgres SQLSTATEs and driver failures to AppErrors, so services never see driver errors.
import { AppError } from '../errors.js';

interface DriverError {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
  name?: string;
}

// NOTE: class 08 (connection), 57P01..57P03 (admin shutdown, crash, cannot connect now) and 53300 (too many
// connections) are transient: the caller may retry, so they become UNAVAILABLE.
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * Returns the AppError a driver error stands for, or undefined when it is not a known database failure.
 * `what` names the thing being written or read, e.g. `collection "clip"`.
 */
export function fromDbError(err: unknown, what = 'record'): AppError | undefined {
  if (err instanceof AppError) return err;
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as DriverError;
  const code = e.code ?? '';
  // NOTE: knex prefixes a driver error's message with the whole SQL text and " - "; callers get the reason only.
  const reason = (e.message ?? '').split(' - ').pop() || code;
  if (code === '23505') return new AppError('already_exists', `${what} already exists`);
  if (code === '23503')
    return new AppError('failed_precondition', `${what} refers to something that does not exist (${e.detail ?? e.constraint ?? 'foreign key'})`);
  if (code === '23502') return new AppError('invalid_argument', `${what} is missing a required value (${reason})`);
  if (code === '22001' || code === '22003') return new AppError('invalid_argument', `${what} has a value out of range (${reason})`);
  // NOTE: the rest of class 22 (data exception) is bad input too, e.g. a NUL character in a text value (22021).
  if (code === '22021' && /0x00/.test(e.message ?? ''))
    return new AppError('invalid_argument', `${what} has a text value containing a NUL (\\u0000) character, which cannot be stored`);
  // NOTE: not e.message, which knex prefixes with the whole SQL text.
  if (code.startsWith('22')) return new AppError('invalid_argument', `${what} has a value the database cannot store (SQLSTATE ${code})`);
  if (code === '57014') return new AppError('cancelled', `the database query for ${what} was cancelled`);
  // 53200: out of memory, e.g. the embedded database's WebAssembly memory (at most 2 GB) cannot grow any more.
  if (code === '53200' || code === '53400' || code === '54000') return new AppError('resource_exhausted', `${what}: ${reason}`);
  if (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_NODE_CODES.has(code)) {
    return new AppError('unavailable', `the database is unavailable (${reason}); retry`);
  }
  if (e.name === 'KnexTimeoutError') {
    return new AppError('unavailable', 'no database connection free within the acquire timeout; retry later');
  }
  const message = e.message ?? '';
  if (/Connection terminated|terminating connection|Client has encountered a connection error|connection is closed/i.test(message)) {
    return new AppError('unavailable', `the database connection was lost (${message}); retry`);
  }
  return undefined;
}

/** Runs `fn`, rethrowing known database failures as AppErrors naming `what`. */
export async function withDbErrors<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fromDbError(err, what) ?? err;
  }
}
