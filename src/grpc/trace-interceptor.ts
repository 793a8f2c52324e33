// Bench-only (TRACE_FILE): a server interceptor stamping the transport stages of every call on the shared monotonic
// clock — headers in, request decoded, half-close, response encoded and written, stream closed. Installed only when
// a tracer exists, so an untraced server has no interceptor at all.
import type { ServerHttp2Stream } from 'node:http2';
import { ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import type { CallTracer } from '../observability/call-trace.js';

/** The interceptor; calls without an `x-request-id` are not stamped (the stamps are keyed by it). */
export function traceInterceptor(tracer: CallTracer): ServerInterceptor {
  return (_method, call) => {
    const headersNs = process.hrtime.bigint();
    let requestId: string | undefined;
    const stamp = (stage: string) => tracer.stamp(requestId, stage);
    // NOTE: the HTTP/2 stream is private to grpc-js's base call (the one this only interceptor wraps); reaching it is
    // the only way to see when the answer's bytes leave for the socket. Bench-only code, so the coupling is accepted.
    const stream = (call as unknown as { stream?: ServerHttp2Stream }).stream;
    if (stream) {
      const write = stream.write.bind(stream) as (chunk: unknown, callback: (err?: Error | null) => void) => boolean;
      stream.write = ((chunk: unknown, callback?: (err?: Error | null) => void) => {
        stamp('server.write');
        return write(chunk, (err?: Error | null) => {
          stamp('server.written');
          callback?.(err);
        });
      }) as ServerHttp2Stream['write'];
      stream.once('close', () => stamp('server.closed'));
    }
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            const id = metadata.get('x-request-id')[0];
            requestId = typeof id === 'string' ? id : undefined;
            tracer.stamp(requestId, 'server.headers', headersNs);
            nextMetadata(metadata);
          },
          onReceiveMessage: (message, nextMessage) => {
            stamp('server.decoded');
            nextMessage(message);
          },
          onReceiveHalfClose: (nextHalfClose) => {
            stamp('server.halfclose');
            nextHalfClose();
          },
        }),
      sendMessage: (message, nextMessage) => {
        stamp('encode.start');
        nextMessage(message);
        stamp('encode.end');
      },
      sendStatus: (status, nextStatus) => {
        stamp('status');
        nextStatus(status);
      },
    });
  };
}
