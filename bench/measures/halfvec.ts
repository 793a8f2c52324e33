// A halfvec (float16) collection of the same vectors against the float32 one: HNSW index size and recall.
import { Precision } from '../../src/gen/stakazo/ml/v1/embedding.js';
import type { Backend } from '../backend.js';
import { ratioMeasure, valueMeasure, type Measure } from '../measure.js';
import { progress } from '../stats.js';
import { createCollection, streamVectors } from './vectors.js';
import { grpcSearch, recall } from './search.js';

async function indexBytes(backend: Backend, table: string): Promise<number> {
  const [row] = await backend.direct.query<{ bytes: string | number }>(`select pg_relation_size($1::regclass) as bytes`, [`${table}_hnsw`]);
  return Number(row!.bytes);
}

/** Builds the halfvec collection, then compares its index and its recall at default ef_search with the float32 one's. */
export async function measureHalfvec(
  backend: Backend,
  names: { vector: string; vectorTable: string; halfvec: string },
  vectors: readonly Float32Array[],
  queries: readonly Float32Array[],
  exactIds: string[][],
  vectorRecall: number,
): Promise<Measure[]> {
  const halfTable = await createCollection(backend, names.halfvec, vectors[0]!.length, Precision.PRECISION_FLOAT16);
  progress(`${backend.name}: streaming the same vectors into halfvec collection "${names.halfvec}"`);
  await streamVectors(backend, names.halfvec, vectors);
  let sum = 0;
  for (let i = 0; i < queries.length; i++) sum += recall((await grpcSearch(backend, names.halfvec, queries[i]!)).ids, exactIds[i]!);
  const halfRecall = sum / queries.length;
  const mib = (bytes: number) => bytes / 2 ** 20;
  return [
    ratioMeasure(
      {
        id: 'halfvec.index_size',
        name: 'halfvec HNSW index size',
        value: mib(await indexBytes(backend, halfTable)),
        unit: 'MiB',
        baseline: mib(await indexBytes(backend, names.vectorTable)),
        baselineName: 'vector index',
      },
      '<=',
      0.55,
    ),
    valueMeasure(
      {
        id: 'halfvec.recall_loss',
        name: 'halfvec recall@10 loss (default ef_search)',
        value: vectorRecall - halfRecall,
        unit: '',
        baseline: vectorRecall,
        baselineName: 'vector recall',
        note: `halfvec recall ${halfRecall.toFixed(3)}`,
      },
      '<=',
      0.005,
      '≤ 0.005',
    ),
  ];
}
