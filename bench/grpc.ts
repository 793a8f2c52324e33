// Promise wrappers of the ts-proto grpc-js clients: unary calls and client streams with flow control.
import { once } from 'node:events';
import { Metadata, type Client, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline?: Date },
  callback: (err: ServiceError | null, response: Res) => void,
) => unknown;

/** Calls a unary method and returns a promise of its response. */
export function call<Req, Res>(client: Client, method: UnaryMethod<Req, Res>, request: Req, deadlineMs = 600_000): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, new Metadata(), { deadline: new Date(Date.now() + deadlineMs) }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

type StreamMethod<Req, Res> = (
  metadata: Metadata,
  options: { deadline?: Date },
  callback: (err: ServiceError | null, response?: Res) => void,
) => ClientWritableStream<Req>;

/** Sends every message on one client stream, honouring backpressure, and returns the response. */
export function clientStream<Req, Res>(client: Client, method: StreamMethod<Req, Res>, messages: Iterable<Req>, deadlineMs = 3_600_000): Promise<Res> {
  return new Promise((resolve, reject) => {
    const stream = method.call(client, new Metadata(), { deadline: new Date(Date.now() + deadlineMs) }, (err, res) => (err ? reject(err) : resolve(res!)));
    (async () => {
      for (const message of messages) {
        if (!stream.write(message)) await once(stream, 'drain');
      }
      stream.end();
    })().catch(reject);
  });
}

/**
 * Sends request messages already encoded as protobuf on one client stream of `definition` (backpressure as
 * above): the client's encoding is then done before the clock starts, as a baseline's COPY payload is.
 */
export function clientStreamEncoded<Res>(
  client: Client,
  definition: { path: string; responseDeserialize(bytes: Buffer): Res },
  messages: Iterable<Buffer>,
  deadlineMs = 3_600_000,
): Promise<Res> {
  const method: StreamMethod<Buffer, Res> = (metadata, options, callback) =>
    client.makeClientStreamRequest(definition.path, (bytes: Buffer) => bytes, definition.responseDeserialize, metadata, options, callback);
  return clientStream(client, method, messages, deadlineMs);
}
