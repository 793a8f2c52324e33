// The transport floors of the search measures, in one process of their own like the service: a bare grpc-js server
// whose one unary method answers every request with the same pre-made bytes (the size of a search answer) and does
// nothing else — no protobuf, no handler wrapper, no database; the same exchange on node:http2 with no gRPC library
// (a gRPC-shaped answer: headers, one framed message, grpc-status trailer); the same echo served by a second gRPC
// implementation, connect-node on node:http2 (its request and answer a google.protobuf.BytesValue around the same
// bytes); and a plain TCP round trip of the same sizes (the floor of any request/answer between two processes).
// Run by measures/search.ts through startServerProcess.
import { create } from '@bufbuild/protobuf';
import { BytesValueSchema } from '@bufbuild/protobuf/wkt';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import { CONNECT_ECHO_METHOD, ECHO_METHOD, grpcFrame } from './echo.js';

{
  const responseBytes = Number(process.argv[2]);
  const requestBytes = Number(process.argv[3]);
  const answer = Buffer.alloc(responseBytes, 0x5a);
  const framedAnswer = grpcFrame(answer);
  // NOTE: the same server options as the service's (src/server.ts), so only the work differs.
  const server = new Server({
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.enable_channelz': 0,
  });
  const definition: ServiceDefinition = { Echo: ECHO_METHOD };
  server.addService(definition, { Echo: (_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, answer) });

  const http2 = createHttp2Server();
  http2.on('stream', (stream) => {
    stream.resume();
    stream.once('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(framedAnswer);
    });
  });
  const connectAnswer = create(BytesValueSchema, { value: answer });
  const connect = createHttp2Server(
    connectNodeAdapter({
      routes: (router) => {
        router.rpc(CONNECT_ECHO_METHOD, () => connectAnswer);
      },
    }),
  );
  const tcp = createTcpServer({ noDelay: true }, (socket) => {
    let pending = 0;
    socket.on('data', (chunk) => {
      pending += chunk.length;
      for (; pending >= requestBytes; pending -= requestBytes) socket.write(answer);
    });
  });
  const listening = (s: { listen(port: number, host: string, cb: () => void): unknown; address(): AddressInfo | string | null }) =>
    new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), async (err, port) => {
    if (err) throw err;
    const [http2Port, connectPort, tcpPort] = await Promise.all([listening(http2), listening(connect), listening(tcp)]);
    process.stdout.write(`${JSON.stringify({ msg: 'serving', port, http2Port, connectPort, tcpPort })}\n`);
  });
  const stop = () => server.tryShutdown(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
