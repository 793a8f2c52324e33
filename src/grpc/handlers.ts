// One wrapper per call shape: authenticate, build the context, await the service, answer exactly once,
// route every error through toGrpcStatus, and abort work when the client cancels or the deadline passes.
import { randomUUID } from 'node:crypto';
import type {
  handleClientStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  Metadata,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  sendUnaryData,
} from '@grpc/grpc-js';
import { runInScope, type WorkScope } from '../db/work-scope.js';
import { armDeadline, throwIfStopped } from '../domain/deadline.js';
import type { Logger } from '../log.js';
import type { CallTracer } from '../observability/call-trace.js';
import type { Authenticator, CallContext } from './context.js';
import { AppError, toGrpcStatus } from './errors.js';
import type { EncodeProbe } from './encode-probe.js';
import type { CallObserver } from './observe.js';
import { scopeOf, trailerOf } from './read-routing.js';

/** What the wrappers need from the server. */
export interface HandlerDeps {
  log: Logger;
  auth: Authenticator;
  observer?: CallObserver;
  /** Tells the wrappers when a response failed to encode (grpc-js then answers INTERNAL by itself). */
  encodeProbe?: EncodeProbe;
  /** Bench-only (TRACE_FILE): stamps each stage of a call; undefined, and so free, otherwise. */
  tracer?: CallTracer;
}

/** What the wrappers use of any call object. */
interface AnyCall {
  metadata: Metadata;
  on(event: 'cancelled', listener: () => void): unknown;
  /** The deadline grpc-js computed from the `grpc-timeout` it received (a Date or epoch ms; Infinity for none). */
  getDeadline(): Date | number;
}

/**
 * Runs the service inside the call's work scope, so its database work is cancelled with the call and its reads
 * routed (src/grpc/read-routing.ts); the scope is kept in `scopes` for the trailing metadata.
 */
function scoped<T>(deps: HandlerDeps, ctx: CallContext, method: string, call: AnyCall, fn: () => Promise<T>): Promise<T> {
  const scope = scopeOf(method, ctx.tenantId, ctx.signal, call.metadata);
  scope.trace = deps.tracer?.forCall(ctx.requestId);
  scopes.set(call, scope);
  return runInScope(scope, fn);
}

/** The work scope of each call, read when it is answered. */
const scopes = new WeakMap<object, WorkScope>();

function requestIdOf(metadata: Metadata): string {
  const sent = metadata.get('x-request-id')[0];
  return typeof sent === 'string' && sent.length > 0 && sent.length <= 128 ? sent : randomUUID();
}

async function openContext(deps: HandlerDeps, method: string, call: AnyCall, startNs: bigint): Promise<CallContext> {
  const controller = new AbortController();
  // NOTE: grpc-js emits 'cancelled' both for client cancellation and for an expired deadline.
  // The reason is what a handler interrupted by the abort throws: an AppError, so it is answered (and logged) as
  // CANCELLED, not as an unexpected INTERNAL.
  // grpc-js also emits it when the stream closes after the answer: nothing to abort then, and no error to build.
  call.on('cancelled', () => {
    if (!answered.has(call)) controller.abort(new AppError('cancelled', 'call cancelled by the client or its deadline'));
  });
  // NOTE: the deadline is also registered on the signal itself: every checkpoint compares it with the clock, so work
  // stops at the deadline even when the event loop is too busy to deliver grpc-js's cancel event in time.
  const deadline = call.getDeadline();
  disarms.set(call, armDeadline(controller, deadline instanceof Date ? deadline.getTime() : deadline));
  const requestId = requestIdOf(call.metadata);
  deps.tracer?.stamp(requestId, 'handler.start', startNs);
  const tenantId = await deps.auth.authenticate(call.metadata);
  deps.tracer?.stamp(requestId, 'auth.done');
  return { tenantId, requestId, signal: controller.signal, log: deps.log.child({ method, requestId, tenantId }) };
}

/**
 * The status the caller got for a response just sent: OK, or INTERNAL when it failed to encode — logged with the
 * call, since the cause is ours and nothing else would say so.
 */
function encodeOutcome(deps: HandlerDeps, log: Logger): number {
  const failure = deps.encodeProbe?.take();
  if (failure === undefined) return 0;
  log.error({ err: failure }, 'the response could not be encoded; the caller got INTERNAL');
  return INTERNAL;
}

/** grpc-js's INTERNAL status code (this module imports grpc-js for types only). */
const INTERNAL = 13;

/** Calls whose answer is decided (finish() ran). */
const answered = new WeakSet<object>();

/** Stops the deadline timer of each call, run when it is answered. */
const disarms = new WeakMap<object, () => void>();

function finish(deps: HandlerDeps, call: AnyCall, method: string, startNs: bigint, code: number, log: Logger): void {
  answered.add(call);
  disarms.get(call)?.();
  const durationMs = Number(process.hrtime.bigint() - startNs) / 1e6;
  deps.observer?.onCall(method, code, durationMs);
  log.debug({ code, durationMs }, 'call finished');
}

/**
 * Sends a successful single answer and records how the call ended: OK, or INTERNAL when grpc-js could not encode
 * the response. The call counts as answered before `send`, so the stream closing inside it aborts nothing.
 */
function answerOk(deps: HandlerDeps, call: AnyCall, method: string, startNs: bigint, log: Logger, send: () => void): void {
  answered.add(call);
  send();
  finish(deps, call, method, startNs, encodeOutcome(deps, log), log);
}

/** Wraps `fn` as a unary handler. */
export function unary<Req, Res>(deps: HandlerDeps, method: string, fn: (request: Req, ctx: CallContext) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const start = process.hrtime.bigint();
    let log = deps.log;
    let requestId: string | undefined;
    (async () => {
      const ctx = await openContext(deps, method, call, start);
      log = ctx.log;
      requestId = ctx.requestId;
      return scoped(deps, ctx, method, call, () => fn(call.request, ctx));
    })().then(
      (response) => {
        deps.tracer?.stamp(requestId, 'service.done');
        answerOk(deps, call, method, start, log, () => callback(null, response, trailerOf(scopes.get(call))));
        deps.tracer?.stamp(requestId, 'answered');
      },
      (err: unknown) => {
        const st = toGrpcStatus(err, log.child({ method }));
        finish(deps, call, method, start, st.code, log);
        callback(st);
      },
    );
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

/**
 * The requests of a client stream, ending only when the client really finished sending.
 * NOTE: when a client cancels, the reset reaches grpc-js as an end of the request stream before the cancel
 * event, so a stream that ends is checked for cancellation one turn later; otherwise a cancelled stream looked
 * complete and its last partial batch was written.
 */
async function* requestsOf<Req>(call: ServerReadableStream<Req, unknown>): AsyncIterable<Req> {
  for await (const message of call as AsyncIterable<Req>) yield message;
  await new Promise((resolve) => setImmediate(resolve));
  if (call.cancelled) throw new AppError('cancelled', 'the client cancelled the stream; chunks already written are kept');
}

/** Wraps `fn` as a client-streaming handler; `fn` reads the requests with `for await` (backpressure included). */
export function clientStream<Req, Res>(
  deps: HandlerDeps,
  method: string,
  fn: (requests: AsyncIterable<Req>, ctx: CallContext) => Promise<Res>,
): handleClientStreamingCall<Req, Res> {
  return (call: ServerReadableStream<Req, Res>, callback: sendUnaryData<Res>) => {
    const start = process.hrtime.bigint();
    let log = deps.log;
    (async () => {
      const ctx = await openContext(deps, method, call, start);
      log = ctx.log;
      return scoped(deps, ctx, method, call, () => fn(requestsOf(call), ctx));
    })().then(
      (response) => {
        answerOk(deps, call, method, start, log, () => callback(null, response, trailerOf(scopes.get(call))));
      },
      (err: unknown) => {
        const st = toGrpcStatus(closedEarly(err), log.child({ method }));
        finish(deps, call, method, start, st.code, log);
        // Stop reading: the remaining messages of a failed stream are not wanted.
        call.destroy();
        callback(st);
      },
    );
  };
}

/** Sends one message of a server stream, waiting for the transport to drain when its buffer is full. */
export type Send<Res> = (message: Res) => Promise<void>;

/** Wraps `fn` as a server-streaming handler; `send` honours flow control. */
export function serverStream<Req, Res>(
  deps: HandlerDeps,
  method: string,
  fn: (request: Req, ctx: CallContext, send: Send<Res>) => Promise<void>,
): handleServerStreamingCall<Req, Res> {
  return (call: ServerWritableStream<Req, Res>) => {
    const start = process.hrtime.bigint();
    let log = deps.log;
    let signal: AbortSignal | undefined;
    const send: Send<Res> = async (message) => {
      throwIfStopped(signal);
      const written = call.write(message);
      // NOTE: a message that failed to encode ended the stream with INTERNAL in grpc-js; stop and report it.
      const encodeFailure = deps.encodeProbe?.take();
      if (encodeFailure !== undefined) throw encodeFailure;
      if (!written) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          };
          const onAbort = () => {
            call.off('drain', onDrain);
            reject(signal?.reason);
          };
          call.once('drain', onDrain);
          signal?.addEventListener('abort', onAbort, { once: true });
        });
      }
    };
    (async () => {
      const ctx = await openContext(deps, method, call, start);
      log = ctx.log;
      signal = ctx.signal;
      await scoped(deps, ctx, method, call, () => fn(call.request, ctx, send));
    })().then(
      () => {
        finish(deps, call, method, start, 0, log);
        call.end(trailerOf(scopes.get(call)));
      },
      (err: unknown) => {
        const st = toGrpcStatus(err, log.child({ method }));
        finish(deps, call, method, start, st.code, log);
        if (!call.cancelled) call.emit('error', st);
      },
    );
  };
}
