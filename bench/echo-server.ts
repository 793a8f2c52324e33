// The transport floor of the search measures: a bare grpc-js server, in a process of its own like the service, whose
// one unary method answers every request with the same pre-made bytes (the size of a search answer) and does
// nothing else — no protobuf, no handler wrapper, no database. Run by measures/search.ts through startServerProcess.
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import { ECHO_METHOD } from './echo.js';

{
  const responseBytes = Number(process.argv[2]);
  const answer = Buffer.alloc(responseBytes, 0x5a);
  // NOTE: the same server options as the service's (src/server.ts), so only the work differs.
  const server = new Server({
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.enable_channelz': 0,
  });
  const definition: ServiceDefinition = { Echo: ECHO_METHOD };
  server.addService(definition, { Echo: (_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, answer) });
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.stdout.write(`${JSON.stringify({ msg: 'serving', port })}\n`);
  });
  const stop = () => server.tryShutdown(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
