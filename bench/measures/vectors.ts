// Builds the vector collections through streamed ingest and measures it against raw binary COPY of the same
// rows into an equal table (same columns, storage and indices, HNSW included) on the same database.
import { BinaryCopyWriter } from '../../src/db/binary-copy.js';
import { vectorField } from '../../src/embedding/vectors/pgvector-binary.js';
import { Distance, EmbeddingType, IndexState, Precision, type UpsertStreamRequest } from '../../src/gen/stakazo/ml/v1/embedding.js';
import type { Backend } from '../backend.js';
import { clientStreamCall } from '../../src/client-calls.js';
import { call } from '../grpc.js';
import { infoMeasure, ratioMeasure, type Measure } from '../measure.js';
import { pointId, pointMetadata } from '../data.js';
import { progress, timed } from '../stats.js';

const POINTS_PER_MESSAGE = 200;

/** Creates a collection with default HNSW settings (indexed from the start unless a threshold is given); returns its points table. */
export async function createCollection(backend: Backend, name: string, dimension: number, precision: Precision, indexingThreshold = 0): Promise<string> {
  await newCollection(backend, name, dimension, precision, indexingThreshold);
  const [row] = await backend.direct.query<{ table_name: string }>(`select table_name from collections where name = $1`, [name]);
  return row!.table_name;
}

/** CreateCollection with default HNSW settings (indexed from the start unless a threshold is given). */
export async function newCollection(backend: Pick<Backend, 'embedding'>, name: string, dimension: number, precision: Precision, indexingThreshold = 0) {
  await call(backend.embedding, backend.embedding.createCollection, {
    collection: {
      name,
      embeddingType: EmbeddingType.EMBEDDING_TYPE_VISUAL_CLIP,
      dimension,
      distance: Distance.DISTANCE_COSINE,
      precision,
      hnsw: undefined,
      description: 'benchmark',
      pointCount: 0,
      createTime: undefined,
      // NOTE: 0 (indexed from the start) keeps the ingest and search measures measuring HNSW at every size.
      indexingThreshold,
      indexState: 0,
      textFields: [],
      textLanguage: '',
      indexBuildProgress: undefined,
    },
  });
}

function* streamMessages(collection: string, vectors: readonly Float32Array[]): Generator<UpsertStreamRequest> {
  for (let start = 0; start < vectors.length; start += POINTS_PER_MESSAGE) {
    const points = vectors.slice(start, start + POINTS_PER_MESSAGE).map((v, j) => {
      const i = start + j;
      return {
        id: pointId(i),
        contentId: `c${i}`,
        vector: { values: [], float32Le: Buffer.from(v.buffer, v.byteOffset, v.byteLength) },
        metadata: pointMetadata(i),
        createTime: undefined,
        updateTime: undefined,
      };
    });
    yield { collection: start === 0 ? collection : '', points };
  }
}

/** Streams every vector into the collection (UpsertStream); returns the elapsed milliseconds. */
export async function streamVectors(backend: Pick<Backend, 'embedding'>, collection: string, vectors: readonly Float32Array[]): Promise<number> {
  const { result, ms } = await timed(() => clientStreamCall(backend.embedding, backend.embedding.upsertStream, streamMessages(collection, vectors)));
  if (result.insertedCount !== vectors.length) throw new Error(`stream inserted ${result.insertedCount} of ${vectors.length} points`);
  return ms;
}

/** The rows a points table's COPY takes: id, content_id, embedding, metadata. */
export function copyPayload(vectors: readonly Float32Array[]): Buffer {
  const writer = new BinaryCopyWriter(vectors.length * (vectors[0]!.length * 4 + 64));
  vectors.forEach((v, i) => {
    writer
      .row(4)
      .text(pointId(i))
      .text(`c${i}`)
      .bytea(vectorField(v))
      .jsonb(JSON.stringify(pointMetadata(i)));
  });
  return writer.finish();
}

/** Milliseconds of one binary COPY of the vectors into a fresh copy of `table` (`including` what of it). */
async function rawCopyMs(backend: Backend, table: string, copyName: string, including: string, vectors: readonly Float32Array[]): Promise<number> {
  const payload = copyPayload(vectors); // NOTE: encoded before the clock starts: the baseline is the database's share only.
  await backend.direct.query(`drop table if exists ${copyName}`);
  await backend.direct.query(`create table ${copyName} (like ${table} ${including})`);
  try {
    const { ms } = await timed(() => backend.direct.copyFrom(`copy ${copyName} (id, content_id, embedding, metadata) from stdin (format binary)`, payload));
    return ms;
  } finally {
    await backend.direct.query(`drop table if exists ${copyName}`);
  }
}

/** Streams `vectors` into a new float32 collection and measures against raw COPY; returns the table too. */
export async function measureVectorIngest(
  backend: Backend,
  collection: string,
  vectors: readonly Float32Array[],
): Promise<{ table: string; measures: Measure[] }> {
  const table = await createCollection(backend, collection, vectors[0]!.length, Precision.PRECISION_FLOAT32);
  progress(`${backend.name}: streaming ${vectors.length} vectors into "${collection}" (HNSW maintained while inserting)`);
  const streamMs = await streamVectors(backend, collection, vectors);
  progress(`${backend.name}: stream ${Math.round(streamMs)} ms; raw binary COPY of the same rows into an equal table`);
  const copyMs = await rawCopyMs(backend, table, `bench_copy_${table}`, 'including all', vectors);
  const bareMs = await rawCopyMs(backend, table, `bench_bare_${table}`, 'including defaults including storage', vectors);
  const perSecond = (ms: number) => (vectors.length * 1000) / ms;
  return {
    table,
    measures: [
      ratioMeasure(
        {
          id: 'vector_ingest.points_per_s',
          name: `streamed vector ingest (${vectors.length} × ${vectors[0]!.length}-d)`,
          value: perSecond(streamMs),
          unit: 'points/s',
          baseline: perSecond(copyMs),
          baselineName: 'binary COPY, equal table with indices',
        },
        '>=',
        0.7,
      ),
      infoMeasure({
        id: 'vector_ingest.no_index_copy_rows_per_s',
        name: 'binary COPY into a table without indices',
        value: perSecond(bareMs),
        unit: 'rows/s',
        note: 'what HNSW maintenance costs',
      }),
    ],
  };
}

/**
 * Builds the collection without measuring (`--only` without `ingest`): the points streamed into a collection whose
 * index waits for the last point, then built once — the same HNSW index, minutes sooner at 100,000 points. Returns
 * its points table once the index is READY.
 */
export async function loadCollection(backend: Backend, collection: string, vectors: readonly Float32Array[]): Promise<string> {
  const table = await createCollection(backend, collection, vectors[0]!.length, Precision.PRECISION_FLOAT32, vectors.length);
  progress(`${backend.name}: loading ${vectors.length} vectors into "${collection}" (not measured), index built after the last point`);
  await streamVectors(backend, collection, vectors);
  for (;;) {
    const state = (await call(backend.embedding, backend.embedding.getCollection, { name: collection })).collection!.indexState;
    if (state === IndexState.INDEX_STATE_READY) return table;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
