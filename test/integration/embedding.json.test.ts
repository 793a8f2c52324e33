// The README's grpcurl session, replayed the way grpcurl works: JSON bodies encoded with descriptors fetched by
// reflection, raw bytes over gRPC, responses printed back as JSON. Keeps the documented session true.
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { fromBinary, fromJson, toBinary, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { expect } from 'chai';
import { resolveAll } from '../helpers/reflection.js';
import { BACKEND, uniq, type TestServer } from '../helpers/server.js';
import { sharedServer } from '../helpers/embedding.js';

/** Calls `service/method` with a JSON body, as `grpcurl -d '<json>' host service/method` does. */
async function grpcurl(server: TestServer, method: string, body: JsonValue): Promise<JsonValue> {
  const { registry } = await resolveAll(server.address);
  const [serviceName, methodName] = method.split('/') as [string, string];
  const rpc = registry.getService(serviceName)!.methods.find((m) => m.name === methodName)!;
  const request = toBinary(rpc.input, fromJson(rpc.input, body, { registry }));
  const client = new Client(server.address, credentials.createInsecure());
  try {
    const response = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        `/${method}`,
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from(request),
        new Metadata(),
        (err, res) => (err ? reject(err) : resolve(res!)),
      ),
    );
    const json = toJson(rpc.output as DescMessage, fromBinary(rpc.output, response), { registry });
    if (process.env.PRINT_JSON) console.log(method, JSON.stringify(json, null, 2));
    return json;
  } finally {
    client.close();
  }
}

describe(`embedding from JSON, as grpcurl sends it (${BACKEND})`, () => {
  let server: TestServer;
  before(async () => {
    server = await sharedServer();
  });

  it('creates a collection, upserts two points and searches with a metadata filter', async () => {
    // NOTE: the README shows the name "clip"; tests share a database, so this one is unique.
    const name = uniq('clip');
    const created = await grpcurl(server, 'stakazo.ml.v1.EmbeddingService/CreateCollection', {
      collection: { name, embedding_type: 'EMBEDDING_TYPE_VISUAL_CLIP', dimension: 3 },
    });
    expect(created).to.deep.include({
      collection: {
        name,
        embeddingType: 'EMBEDDING_TYPE_VISUAL_CLIP',
        dimension: 3,
        distance: 'DISTANCE_COSINE',
        precision: 'PRECISION_FLOAT32',
        hnsw: { m: 16, efConstruction: 128, efSearch: 100 },
        createTime: (created as { collection: { createTime: string } }).collection.createTime,
        // Deferred indexing: exact search until INDEXING_THRESHOLD (20,000) points, then an HNSW index.
        indexState: 'INDEX_STATE_NONE',
        indexingThreshold: '20000',
        // No text_fields: not searchable by keyword; the language is the default.
        textLanguage: 'simple',
      },
    });
    const upserted = await grpcurl(server, 'stakazo.ml.v1.EmbeddingService/Upsert', {
      collection: name,
      points: [
        { id: 'frame-1', content_id: 'video-1', vector: { values: [0.1, 0.9, 0.2] }, metadata: { brand: 'acme' } },
        { id: 'frame-2', content_id: 'video-2', vector: { values: [0.8, 0.1, 0.1] }, metadata: { brand: 'zeta' } },
      ],
    });
    expect(upserted).to.deep.equal({ insertedCount: 2 });
    const found = (await grpcurl(server, 'stakazo.ml.v1.EmbeddingService/Search', {
      collection: name,
      vector: { values: [0.1, 0.8, 0.3] },
      top_k: 5,
      filter: { metadata_contains: { brand: 'acme' } },
    })) as { hits: { point: { id: string; metadata: object }; score: number; distance: number }[] };
    expect(found.hits).to.have.length(1);
    expect(found.hits[0]!.point).to.deep.include({ id: 'frame-1', contentId: 'video-1', metadata: { brand: 'acme' } });
    expect(found.hits[0]!.score).to.be.closeTo(0.99, 0.001);
    await grpcurl(server, 'stakazo.ml.v1.EmbeddingService/DeleteCollection', { name });
  });

  it('searches contents across a vector collection and a keyword-searchable caption collection (docs/grpcurl.md)', async () => {
    const E = 'stakazo.ml.v1.EmbeddingService';
    const [clip, caption] = [uniq('clip'), uniq('caption')];
    await grpcurl(server, `${E}/CreateCollection`, { collection: { name: clip, embedding_type: 'EMBEDDING_TYPE_VISUAL_CLIP', dimension: 3 } });
    await grpcurl(server, `${E}/Upsert`, {
      collection: clip,
      points: [
        { id: 'frame-1', content_id: 'video-1', vector: { values: [0.1, 0.9, 0.2] } },
        { id: 'frame-2', content_id: 'video-2', vector: { values: [0.8, 0.1, 0.1] } },
      ],
    });
    const created = (await grpcurl(server, `${E}/CreateCollection`, {
      collection: { name: caption, embedding_type: 'EMBEDDING_TYPE_TEXT', dimension: 3, text_fields: ['caption', 'hashtags'], text_language: 'english' },
    })) as { collection: { textFields: string[]; textLanguage: string } };
    expect([created.collection.textFields, created.collection.textLanguage]).to.deep.equal([['caption', 'hashtags'], 'english']);
    await grpcurl(server, `${E}/Upsert`, {
      collection: caption,
      points: [
        { id: 'cap-1', content_id: 'video-1', vector: { values: [0.2, 0.9, 0.1] }, metadata: { caption: 'Summer tour, night one', hashtags: ['live'] } },
        { id: 'cap-2', content_id: 'video-2', vector: { values: [0.9, 0.1, 0.3] }, metadata: { caption: 'Studio session' } },
        { id: 'cap-3', content_id: 'video-3', vector: { values: [0.5, 0.5, 0.5] }, metadata: { caption: 'Touring in summer: the recap' } },
      ],
    });
    const found = (await grpcurl(server, `${E}/SearchContent`, {
      sub_queries: [{ collection: clip, vector: { values: [0.1, 0.8, 0.3] } }],
      keyword: { collection: caption, query: 'summer tour' },
      fusion: 'FUSION_RRF',
      top_k: 5,
    })) as { hits: { contentId: string; score: number; evidence: { pointId?: string; score?: number; rank?: number }[] }[] };
    expect(found.hits.map((h) => h.contentId)).to.deep.equal(['video-1', 'video-2', 'video-3']);
    expect(found.hits[0]!.score).to.be.closeTo(2 / 61, 1e-12);
    expect(found.hits[0]!.evidence.map((e) => [e.pointId, e.rank])).to.deep.equal([
      ['frame-1', 1],
      ['cap-1', 1],
    ]);
    expect(found.hits[2]!.evidence[0]).to.deep.equal({});
    const weighted = (await grpcurl(server, `${E}/SearchContent`, {
      sub_queries: [
        { collection: clip, vector: { values: [0.1, 0.8, 0.3] }, weight: 2 },
        { collection: caption, content_id: 'video-1' },
      ],
      fusion: 'FUSION_WEIGHTED',
      top_k: 2,
    })) as { hits: { contentId: string }[] };
    expect(weighted.hits.map((h) => h.contentId)).to.deep.equal(['video-2', 'video-3']);
    for (const name of [clip, caption]) await grpcurl(server, `${E}/DeleteCollection`, { name });
  });
});
