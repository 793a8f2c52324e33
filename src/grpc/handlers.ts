// One adapter per call shape (unary, client stream, server stream): it reads the request(s), calls the service and
// sends the answer exactly once. Everything else a call needs (authentication, the tenant's work scope and read
// routing, cancellation, errors → status, tracing, observation) is the one middleware chain of middleware.ts,
// composed once and run around every shape.
import type {
  handleClientStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  sendUnaryData,
} from '@grpc/grpc-js';
import { throwIfStopped } from '../domain/deadline.js';
import type { CallContext } from './context.js';
import { AppError } from './errors.js';
import { answer, contextOf, serveCall, type HandlerDeps } from './middleware.js';
import { trailerOf } from './read-routing.js';

export type { HandlerDeps } from './middleware.js';

/** Wraps `fn` as a unary handler. */
export function unary<Req, Res>(deps: HandlerDeps, method: string, fn: (request: Req, ctx: CallContext) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) =>
    serveCall(deps, method, call, callback, async (state) => {
      const response = await fn(call.request, contextOf(state));
      deps.tracer?.stamp(state.requestId, 'service.done');
      answer(deps, state, () => callback(null, response, trailerOf(state.scope)));
      deps.tracer?.stamp(state.requestId, 'answered');
    });
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
  return (call: ServerReadableStream<Req, Res>, callback: sendUnaryData<Res>) =>
    serveCall(
      deps,
      method,
      call,
      (status) => {
        // Stop reading: the remaining messages of a failed stream are not wanted.
        call.destroy();
        callback(status);
      },
      async (state) => {
        const response = await fn(requestsOf(call), contextOf(state));
        answer(deps, state, () => callback(null, response, trailerOf(state.scope)));
      },
    );
}

/** Sends one message of a server stream, waiting for the transport to drain when its buffer is full. */
export type Send<Res> = (message: Res) => Promise<void>;

/** Wraps `fn` as a server-streaming handler; `send` honours flow control. */
export function serverStream<Req, Res>(
  deps: HandlerDeps,
  method: string,
  fn: (request: Req, ctx: CallContext, send: Send<Res>) => Promise<void>,
): handleServerStreamingCall<Req, Res> {
  return (call: ServerWritableStream<Req, Res>) =>
    serveCall(
      deps,
      method,
      call,
      (status) => {
        if (!call.cancelled) call.emit('error', status);
      },
      async (state) => {
        const signal = state.signal!;
        const send: Send<Res> = async (message) => {
          throwIfStopped(signal);
          const written = call.write(message);
          // NOTE: a message that failed to encode ended the stream with INTERNAL in grpc-js; stop and report it.
          const encodeFailure = deps.encodeProbe?.take();
          if (encodeFailure !== undefined) throw encodeFailure;
          if (!written) {
            await new Promise<void>((resolve, reject) => {
              const onDrain = () => {
                signal.removeEventListener('abort', onAbort);
                resolve();
              };
              const onAbort = () => {
                call.off('drain', onDrain);
                reject(signal.reason);
              };
              call.once('drain', onDrain);
              signal.addEventListener('abort', onAbort, { once: true });
            });
          }
        };
        await fn(call.request, contextOf(state), send);
        answer(deps, state, () => call.end(trailerOf(state.scope)));
      },
    );
}
