// Promise forms of the ts-proto grpc-js client methods: a unary call, and a client stream written with flow control.
import { once } from 'node:events';
import { Metadata, type Client, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';

/** A unary method of a ts-proto grpc-js client, in its (request, metadata, options, callback) form. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline?: Date },
  callback: (err: ServiceError | null, response: Res) => void,
) => unknown;

/** A client-streaming method of a ts-proto grpc-js client, in its (metadata, options, callback) form. */
export type ClientStreamMethod<Req, Res> = (
  metadata: Metadata,
  options: { deadline?: Date },
  callback: (err: ServiceError | null, response?: Res) => void,
) => ClientWritableStream<Req>;

/** Calls a unary method and returns a promise of its response (rejected with the ServiceError). */
export function unaryCall<Req, Res>(
  client: Client,
  method: UnaryMethod<Req, Res>,
  request: Req,
  metadata: Metadata = new Metadata(),
  deadlineMs = 60_000,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, metadata, { deadline: new Date(Date.now() + deadlineMs) }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Writes every message, waiting for 'drain' whenever the stream asks to, then ends the stream. */
export async function writeAll<Req>(stream: ClientWritableStream<Req>, messages: Iterable<Req>): Promise<void> {
  for (const message of messages) {
    if (!stream.write(message)) await once(stream, 'drain');
  }
  stream.end();
}

/** Sends every message on one client stream, honouring flow control, and returns the response. */
export function clientStreamCall<Req, Res>(
  client: Client,
  method: ClientStreamMethod<Req, Res>,
  messages: Iterable<Req>,
  metadata: Metadata = new Metadata(),
  deadlineMs = 3_600_000,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const stream = method.call(client, metadata, { deadline: new Date(Date.now() + deadlineMs) }, (err, res) => (err ? reject(err) : resolve(res!)));
    writeAll(stream, messages).catch(reject);
  });
}
