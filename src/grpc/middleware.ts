// The cross-cutting work of every call, written once as middleware and composed once around every call shape (as
// nice-grpc's composeServerMiddleware does): observation, errors → status, request id and tracing, cancellation,
// authentication, and the work scope (tenant, read routing, freshness). The call shapes (handlers.ts) only read
// requests and send answers; what they send is checked for encode failures in one place, `answer` below.
import { randomUUID } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { runInScope, type WorkScope } from '../db/work-scope.js';
import { armDeadline } from '../domain/deadline.js';
import type { Logger } from '../log.js';
import type { CallTracer } from '../observability/call-trace.js';
import type { Authenticator, CallContext } from './context.js';
import { AppError, toGrpcStatus, type StatusObject } from './errors.js';
import type { EncodeProbe } from './encode-probe.js';
import type { CallObserver } from './observe.js';
import { scopeOf } from './read-routing.js';

/** What the middleware needs from the server. */
export interface HandlerDeps {
  log: Logger;
  auth: Authenticator;
  observer?: CallObserver;
  /** Tells the wrappers when a response failed to encode (grpc-js then answers INTERNAL by itself). */
  encodeProbe?: EncodeProbe;
  /** Bench-only (TRACE_FILE): stamps each stage of a call; undefined, and so free, otherwise. */
  tracer?: CallTracer;
  /** The RPCs declared `idempotency_level = NO_SIDE_EFFECTS` (read-routing.ts); none (all on the primary) without it. */
  readOnlyMethods?: ReadonlySet<string>;
}

/** One call as it goes through the chain: each middleware fills in what it owns. */
export interface CallState {
  readonly method: string;
  readonly metadata: Metadata;
  /** grpc-js emits 'cancelled' on client cancellation, an expired deadline, and the stream closing after the answer. */
  readonly call: {
    on(event: 'cancelled', listener: () => void): unknown;
    /** The deadline grpc-js computed from the `grpc-timeout` it received (a Date or epoch ms; Infinity for none). */
    getDeadline(): Date | number;
  };
  readonly startNs: bigint;
  /** Sends an error status the call shape's way (callback, or the stream's error). */
  readonly fail: (status: StatusObject) => void;
  log: Logger;
  requestId?: string;
  tenantId?: string;
  signal?: AbortSignal;
  scope?: WorkScope;
  /** The status code the caller got; decided by `answer` or by the error middleware. */
  code: number;
  /** Whether the answer is decided: the stream closing after it aborts nothing. */
  answered: boolean;
}

/** A piece of cross-cutting work: does its part, then runs the rest of the chain with `next`. */
export type Middleware = (call: CallState, next: () => Promise<void>) => Promise<void>;

/** The middlewares as one, outermost first. */
export function composeMiddleware(middlewares: readonly Middleware[]): Middleware {
  return middlewares.reduceRight<Middleware>(
    (inner, outer) => (call, next) => outer(call, () => inner(call, next)),
    (_call, next) => next(),
  );
}

/** Counts and logs every finished call, whatever it ended with. */
function observation(deps: HandlerDeps): Middleware {
  return async (call, next) => {
    try {
      await next();
    } finally {
      call.answered = true;
      const durationMs = Number(process.hrtime.bigint() - call.startNs) / 1e6;
      deps.observer?.onCall(call.method, call.code, durationMs);
      call.log.debug({ code: call.code, durationMs }, 'call finished');
    }
  };
}

/**
 * The request stream closed before its end: the client cancelled, or grpc-js already answered the call (e.g. a
 * message it could not decode). Not a server fault, so CANCELLED rather than a logged INTERNAL.
 */
function closedEarly(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' ? new AppError('cancelled', 'the request stream closed before it ended') : err;
}

/** Every error, whichever middleware or handler threw it, goes to the caller through toGrpcStatus. */
const errorStatus: Middleware = async (call, next) => {
  try {
    await next();
  } catch (err) {
    const status = toGrpcStatus(closedEarly(err), call.log.child({ method: call.method }));
    call.code = status.code;
    call.answered = true;
    call.fail(status);
  }
};

/** The request id (the caller's `x-request-id`, or a new one) and the bench's first stamp. */
function requestIdentity(deps: HandlerDeps): Middleware {
  return (call, next) => {
    const sent = call.metadata.get('x-request-id')[0];
    call.requestId = typeof sent === 'string' && sent.length > 0 && sent.length <= 128 ? sent : randomUUID();
    deps.tracer?.stamp(call.requestId, 'handler.start', call.startNs);
    return next();
  };
}

/**
 * The call's signal, aborted when the client cancels or the deadline passes. Its reason is what an interrupted
 * handler throws: an AppError, so it is answered (and logged) as CANCELLED, not as an unexpected INTERNAL.
 */
const cancellation: Middleware = async (call, next) => {
  const controller = new AbortController();
  call.call.on('cancelled', () => {
    if (!call.answered) controller.abort(new AppError('cancelled', 'call cancelled by the client or its deadline'));
  });
  // NOTE: the deadline is also registered on the signal itself: every checkpoint compares it with the clock, so work
  // stops at the deadline even when the event loop is too busy to deliver grpc-js's cancel event in time.
  const deadline = call.call.getDeadline();
  const disarm = armDeadline(controller, deadline instanceof Date ? deadline.getTime() : deadline);
  call.signal = controller.signal;
  try {
    await next();
  } finally {
    disarm();
  }
};

/** The tenant of the caller's token; the call's logger names it from here on. */
function authentication(deps: HandlerDeps): Middleware {
  return async (call, next) => {
    call.tenantId = await deps.auth.authenticate(call.metadata);
    deps.tracer?.stamp(call.requestId, 'auth.done');
    call.log = deps.log.child({ method: call.method, requestId: call.requestId, tenantId: call.tenantId });
    return next();
  };
}

/**
 * Runs the rest inside the call's work scope: its database work is cancelled with the call, scoped to its tenant,
 * and its reads routed to a replica when the contract declares the method free of side effects.
 */
function workScope(deps: HandlerDeps): Middleware {
  return (call, next) => {
    const readOnly = deps.readOnlyMethods?.has(call.method) ?? false;
    const scope = scopeOf(readOnly, call.tenantId!, call.signal!, call.metadata);
    scope.trace = deps.tracer?.forCall(call.requestId!);
    call.scope = scope;
    return runInScope(scope, next);
  };
}

const chains = new WeakMap<HandlerDeps, Middleware>();

/** The one chain of a server, composed once: every call of every shape goes through it, in this order. */
export function chainOf(deps: HandlerDeps): Middleware {
  let chain = chains.get(deps);
  if (!chain) {
    chain = composeMiddleware([observation(deps), errorStatus, requestIdentity(deps), cancellation, authentication(deps), workScope(deps)]);
    chains.set(deps, chain);
  }
  return chain;
}

/** What a handler knows of its call (filled in by the chain). */
export function contextOf(call: CallState): CallContext {
  return { tenantId: call.tenantId!, requestId: call.requestId!, log: call.log, signal: call.signal! };
}

/** grpc-js's INTERNAL status code (this module imports grpc-js for types only). */
const INTERNAL = 13;

/**
 * Sends a successful answer (a response, or a server stream's end) and decides how the call ended: OK, or INTERNAL
 * when grpc-js could not encode it — logged with the call, since the cause is ours and nothing else would say so.
 * The call counts as answered before `send`, so the stream closing inside it aborts nothing. NOTE: grpc-js encodes
 * synchronously inside the callback or write, so the failure taken right after `send` is this call's own.
 */
export function answer(deps: HandlerDeps, call: CallState, send: () => void): void {
  call.answered = true;
  send();
  const failure = deps.encodeProbe?.take();
  if (failure === undefined) return;
  call.log.error({ err: failure }, 'the response could not be encoded; the caller got INTERNAL');
  call.code = INTERNAL;
}

/** Runs `handle` (the call shape's part: read, call the service, answer) through the server's chain. */
export function serveCall(
  deps: HandlerDeps,
  method: string,
  call: CallState['call'] & { metadata: Metadata },
  fail: CallState['fail'],
  handle: (state: CallState) => Promise<void>,
): void {
  const state: CallState = { method, metadata: call.metadata, call, startNs: process.hrtime.bigint(), fail, log: deps.log, code: 0, answered: false };
  chainOf(deps)(state, () => handle(state)).catch((err: unknown) => deps.log.error({ err, method }, 'the call chain failed'));
}
