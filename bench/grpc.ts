// The bench's gRPC calls: the client's promise helpers (src/client-calls.ts) with the bench's long deadlines,
// and a client stream of messages already encoded as protobuf.
import { Metadata, type Client } from '@grpc/grpc-js';
import { clientStreamCall, unaryCall, type ClientStreamMethod, type UnaryMethod } from '../src/client-calls.js';

/** Calls a unary method and returns a promise of its response. */
export function call<Req, Res>(client: Client, method: UnaryMethod<Req, Res>, request: Req, deadlineMs = 600_000): Promise<Res> {
  return unaryCall(client, method, request, new Metadata(), deadlineMs);
}

/**
 * Sends request messages already encoded as protobuf on one client stream of `definition` (with flow control):
 * the client's encoding is then done before the clock starts, as a baseline's COPY payload is.
 */
export function clientStreamEncoded<Res>(
  client: Client,
  definition: { path: string; responseDeserialize(bytes: Buffer): Res },
  messages: Iterable<Buffer>,
): Promise<Res> {
  const method: ClientStreamMethod<Buffer, Res> = (metadata, options, callback) =>
    client.makeClientStreamRequest(definition.path, (bytes: Buffer) => bytes, definition.responseDeserialize, metadata, options, callback);
  return clientStreamCall(client, method, messages);
}
