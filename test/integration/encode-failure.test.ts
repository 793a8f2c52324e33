// A response that fails to encode is answered INTERNAL (by grpc-js), and — new — logged with its call and counted
// as INTERNAL in the metrics, not as OK. Real grpc-js server and client on port 0, the real handler wrapper.
import { Writable } from 'node:stream';
import { credentials, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { pino } from 'pino';
import { Collection, EmbeddingServiceClient, EmbeddingServiceService } from '../../src/gen/stakazo/ml/v1/embedding.js';
import { EncodeProbe } from '../../src/grpc/encode-probe.js';
import { unary, type HandlerDeps } from '../../src/grpc/handlers.js';
import { ServiceMetrics } from '../../src/observability/prometheus.js';
import { call, expectStatus } from '../helpers/server.js';

describe('responses that fail to encode', () => {
  it('are logged with their call and counted as INTERNAL; a good answer still counts as OK', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const metrics = new ServiceMetrics();
    const probe = new EncodeProbe();
    const deps: HandlerDeps = { log: pino({ level: 'info' }, sink), auth: { authenticate: async () => 'default' }, observer: metrics, encodeProbe: probe };
    const collection = (dimension: number) => Collection.fromPartial({ name: 'x', embeddingType: 1, dimension, distance: 1, precision: 1 });
    const server = new Server();
    server.addService(probe.watch(EmbeddingServiceService), {
      // NaN in an integer field cannot be encoded.
      getCollection: unary(deps, 'GetCollection', async (request: { name: string }) => ({ collection: collection(request.name === 'bad' ? Number.NaN : 3) })),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
    );
    const client = new EmbeddingServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
    try {
      await expectStatus(call(client, client.getCollection, { name: 'bad' }), status.INTERNAL);
      expect((await call(client, client.getCollection, { name: 'good' })).collection!.dimension).to.equal(3);
      const counted = (await metrics.requests.get()).values.map((v) => `${v.labels.grpc_method} ${v.labels.grpc_code} ${v.value}`);
      expect(counted).to.have.members(['GetCollection INTERNAL 1', 'GetCollection OK 1']);
      const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'the response could not be encoded; the caller got INTERNAL');
      expect(logged).to.have.length(1);
      expect(logged[0]).to.include({ method: 'GetCollection' });
      expect(logged[0].err.message).to.match(/NaN/);
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
