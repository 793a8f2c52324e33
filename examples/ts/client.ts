// A short TypeScript session with the typed clients the package exports (`import … from 'stakazo-ml'`):
// create a collection, upsert two points, search, and print a learning report when --day is given.
//   node --conditions=stakazo-source --import tsx examples/ts/client.ts [--address localhost:50051] [--token stk_…] [--day YYYY-MM-DD]
// (`--conditions=stakazo-source` resolves 'stakazo-ml' to this tree's src/; without it, to the build: `npm run build`).
import { parseArgs } from 'node:util';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  Collection,
  EmbeddingServiceClient,
  EmbeddingType,
  LearningServiceClient,
  SearchRequest,
  UpsertRequest,
  type GetLearningReportResponse,
  type SearchResponse,
  type UpsertResponse,
} from 'stakazo-ml';

const { values } = parseArgs({ options: { address: { type: 'string', default: 'localhost:50051' }, token: { type: 'string' }, day: { type: 'string' } } });
const metadata = new Metadata();
if (values.token) metadata.set('authorization', `Bearer ${values.token}`);

/** A unary call as a promise: `invoke` calls the generated method with the metadata and a callback. */
function unary<Res>(invoke: (md: Metadata, callback: (err: ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => invoke(metadata, (err, res) => (err ? reject(err) : resolve(res))));
}

const embedding = new EmbeddingServiceClient(values.address!, credentials.createInsecure());
const learning = new LearningServiceClient(values.address!, credentials.createInsecure());
try {
  // fromPartial fills every field left out with its default, as protobuf does on the wire.
  const collection = Collection.fromPartial({ name: 'ts-example', embeddingType: EmbeddingType.EMBEDDING_TYPE_TEXT, dimension: 3 });
  await unary((md, cb) => embedding.createCollection({ collection }, md, cb)).catch((err: ServiceError) => {
    if (err.code !== status.ALREADY_EXISTS) throw err;
  });
  const upsert = UpsertRequest.fromPartial({
    collection: 'ts-example',
    points: [
      { id: 'a', contentId: 'video-a', vector: { values: [1, 0, 0] }, metadata: { topic: 'cooking' } },
      { id: 'b', contentId: 'video-b', vector: { values: [0, 1, 0] }, metadata: { topic: 'travel' } },
    ],
  });
  const upserted = await unary<UpsertResponse>((md, cb) => embedding.upsert(upsert, md, cb));
  console.log(`upserted: ${upserted.insertedCount} new, ${upserted.updatedCount} updated`);
  const search = SearchRequest.fromPartial({ collection: 'ts-example', vector: { values: [0.9, 0.1, 0] }, topK: 2 });
  const { hits } = await unary<SearchResponse>((md, cb) => embedding.search(search, md, cb));
  for (const hit of hits) console.log(`hit ${hit.point?.id} score ${hit.score.toFixed(3)} topic ${String(hit.point?.metadata?.topic)}`);
  if (values.day) {
    const { report } = await unary<GetLearningReportResponse>((md, cb) => learning.getLearningReport({ day: values.day! }, md, cb));
    console.log(`report ${values.day}: ${report?.summary}`);
    for (const r of report?.recommendations ?? []) console.log(`  recommendation: ${r.text}`);
  }
} catch (err) {
  const e = err as ServiceError;
  console.error(`${status[e.code] ?? 'ERROR'}: ${e.details ?? e.message}`);
  process.exitCode = 1;
} finally {
  embedding.close();
  learning.close();
}
