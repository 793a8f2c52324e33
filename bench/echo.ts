// The bare grpc-js echo (bench/echo-server.ts) as the search measures use it: started in a process of its own with
// the size of a search answer, and called like the service, so its latency is the transport floor of a search.
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

const SCRIPT = new URL('./echo-server.ts', import.meta.url).pathname;

export interface Echo {
  /** Sends `request` and resolves with the latency in ms (the answer is `responseBytes` long). */
  call(request: Buffer): Promise<number>;
  stop(): Promise<void>;
}

/** Starts an echo server process answering `responseBytes`, and a client of it (connected before this resolves). */
export async function startEcho(responseBytes: number): Promise<Echo> {
  const server = await startServerProcess({}, ['--import', 'tsx', SCRIPT, String(responseBytes)]);
  const client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure(), CLIENT_OPTIONS);
  const call = (request: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const start = nowMs();
      // NOTE: a deadline and fresh metadata per call, as the bench's service calls have (src/client-calls.ts).
      client.makeUnaryRequest(
        ECHO_METHOD.path,
        ECHO_METHOD.requestSerialize,
        ECHO_METHOD.responseDeserialize,
        request,
        new Metadata(),
        { deadline: new Date(Date.now() + 600_000) },
        (err) => (err ? reject(err) : resolve(nowMs() - start)),
      );
    });
  await call(Buffer.alloc(0));
  return {
    call,
    async stop() {
      client.close();
      await server.stop();
    },
  };
}
