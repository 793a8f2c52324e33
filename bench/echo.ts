// The transport floors (bench/echo-server.ts) as the search measures use them: started in a process of their own
// with the sizes of a search, and called like the service, so their latencies are what any search pays in transit.
import { create, createFileRegistry, toBinary, type DescMethodUnary } from '@bufbuild/protobuf';
import { BytesValueSchema, FileDescriptorProtoSchema, file_google_protobuf_wrappers } from '@bufbuild/protobuf/wkt';
import { connect as connectHttp2 } from 'node:http2';
import { connect as connectTcp } from 'node:net';
import { once } from 'node:events';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { CLIENT_OPTIONS, startServerProcess } from './backend.js';
import { nowMs } from './stats.js';

/** The echo method: raw bytes both ways. */
export const ECHO_METHOD = {
  path: '/stakazo.bench.Echo/Echo',
  requestStream: false,
  responseStream: false,
  requestSerialize: (bytes: Buffer) => bytes,
  requestDeserialize: (bytes: Buffer) => bytes,
  responseSerialize: (bytes: Buffer) => bytes,
  responseDeserialize: (bytes: Buffer) => bytes,
} as const;

/** The echo as connect-node serves it: `rpc Echo(google.protobuf.BytesValue) returns (google.protobuf.BytesValue)`. */
export const CONNECT_ECHO_METHOD = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'stakazo/bench/echo.proto',
    package: 'stakazo.bench',
    dependency: ['google/protobuf/wrappers.proto'],
    syntax: 'proto3',
    service: [{ name: 'Echo', method: [{ name: 'Echo', inputType: '.google.protobuf.BytesValue', outputType: '.google.protobuf.BytesValue' }] }],
  }),
  (name) => (name === 'google/protobuf/wrappers.proto' ? file_google_protobuf_wrappers : undefined),
).getService('stakazo.bench.Echo')!.methods[0] as DescMethodUnary<typeof BytesValueSchema, typeof BytesValueSchema>;

/** A message in gRPC's length-prefixed framing (uncompressed), as it travels in an HTTP/2 DATA frame. */
export function grpcFrame(message: Buffer): Buffer {
  const framed = Buffer.alloc(5 + message.length);
  framed.writeUInt32BE(message.length, 1);
  message.copy(framed, 5);
  return framed;
}

const SCRIPT = new URL('./echo-server.ts', import.meta.url).pathname;

export interface Echo {
  /** grpc-js at both ends: sends `request` and resolves with the latency in ms (the answer is `responseBytes` long). */
  call(request: Buffer): Promise<number>;
  /** The same exchange served by connect-node (a second gRPC implementation, on node:http2), grpc-js client: ms. */
  callConnect(request: Buffer): Promise<number>;
  /** The same exchange on node:http2 at both ends, no gRPC library: latency in ms. */
  callHttp2(request: Buffer): Promise<number>;
  /** The same sizes as one plain TCP round trip: latency in ms. */
  callTcp(request: Buffer): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the echo process answering `responseBytes` to requests of `requestBytes` (every request sent must be that
 * long), and a client of each floor (connected before this resolves).
 */
export async function startEcho(requestBytes: number, responseBytes: number): Promise<Echo> {
  const server = await startServerProcess({}, ['--import', 'tsx', SCRIPT, String(responseBytes), String(requestBytes)]);
  const { http2Port, connectPort, tcpPort } = server.serving as { http2Port: number; connectPort: number; tcpPort: number };
  const client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure(), CLIENT_OPTIONS);
  const connectClient = new Client(`127.0.0.1:${connectPort}`, credentials.createInsecure(), CLIENT_OPTIONS);
  const unary = (via: Client, request: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const start = nowMs();
      // NOTE: a deadline and fresh metadata per call, as the bench's service calls have (src/client-calls.ts).
      via.makeUnaryRequest(
        ECHO_METHOD.path,
        ECHO_METHOD.requestSerialize,
        ECHO_METHOD.responseDeserialize,
        request,
        new Metadata(),
        { deadline: new Date(Date.now() + 600_000) },
        (err) => (err ? reject(err) : resolve(nowMs() - start)),
      );
    });
  const call = (request: Buffer) => unary(client, request);
  // The request as a google.protobuf.BytesValue around the same bytes (encoded before the clock starts).
  const callConnect = (request: Buffer) => unary(connectClient, Buffer.from(toBinary(BytesValueSchema, create(BytesValueSchema, { value: request }))));

  const session = connectHttp2(`http://127.0.0.1:${http2Port}`);
  await once(session, 'connect');
  const callHttp2 = (request: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const start = nowMs();
      const stream = session.request({ ':method': 'POST', ':path': ECHO_METHOD.path, 'content-type': 'application/grpc', te: 'trailers' });
      stream.resume();
      stream.once('error', reject);
      stream.once('close', () => resolve(nowMs() - start));
      stream.end(grpcFrame(request));
    });

  const socket = connectTcp(tcpPort, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  let received = 0;
  let answered: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received >= responseBytes && answered) {
      received -= responseBytes;
      const done = answered;
      answered = undefined;
      done();
    }
  });
  const callTcp = (request: Buffer) =>
    new Promise<number>((resolve) => {
      const start = nowMs();
      answered = () => resolve(nowMs() - start);
      socket.write(request);
    });

  await call(Buffer.alloc(requestBytes));
  await callConnect(Buffer.alloc(requestBytes));
  return {
    call,
    callConnect,
    callHttp2,
    callTcp,
    async stop() {
      client.close();
      connectClient.close();
      session.close();
      socket.destroy();
      await server.stop();
    },
  };
}
