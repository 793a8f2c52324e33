// Search quality and speed through gRPC: recall against exact results, HNSW against the exact scan, the
// service against the same SQL sent directly, and filtered against unfiltered search.
import { setConfigStatement } from '../../src/db/session.js';
import { hnswSettings, searchStatement } from '../../src/embedding/search/search.sql.js';
import { vectorField } from '../../src/embedding/vectors/pgvector-binary.js';
import type { CollectionInfo } from '../../src/embedding/embedding.types.js';
import { toPgvectorText } from '../../src/embedding/vectors/vector-codec.js';
import { SearchRequest, SearchResponse, type Filter } from '../../src/gen/stakazo/ml/v1/embedding.js';
import type { Backend } from '../backend.js';
import { startEcho } from '../echo.js';
import { call } from '../grpc.js';
import { infoMeasure, ratioMeasure, valueMeasure, type Measure } from '../measure.js';
import { nowMs, percentile, progress } from '../stats.js';

export const TOP_K = 10;
const NO_FILTER: Filter = { contentIds: [], createdAfter: undefined, createdBefore: undefined, metadataContains: undefined };
/** One bucket of ten: 10 % selectivity. */
export const TEN_PERCENT: Filter = { ...NO_FILTER, metadataContains: { bucket: 3 } };

export interface SearchOptions {
  efSearch?: number;
  exact?: boolean;
  filter?: Filter;
}

/** The search request the bench sends (packed float32 query vector, no vectors back). */
export function searchRequest(collection: string, vector: Float32Array, options: SearchOptions = {}): SearchRequest {
  return {
    collection,
    vector: { values: [], float32Le: Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength) },
    pointId: '',
    topK: TOP_K,
    filter: options.filter ?? NO_FILTER,
    efSearch: options.efSearch ?? 0,
    exact: options.exact ?? false,
    groupByContent: false,
    withVectors: false,
    vectorEncoding: 0,
  };
}

/** Searches through gRPC; returns the hit ids and the latency. */
export async function grpcSearch(
  backend: Backend,
  collection: string,
  vector: Float32Array,
  options: SearchOptions = {},
): Promise<{ ids: string[]; ms: number }> {
  const start = nowMs();
  const response = await call(backend.embedding, backend.embedding.search, searchRequest(collection, vector, options));
  return { ids: response.hits.map((h) => h.point!.id), ms: nowMs() - start };
}

/** The share of `exact` found in `approx`. */
export function recall(approx: readonly string[], exact: readonly string[]): number {
  const found = new Set(approx);
  return exact.filter((id) => found.has(id)).length / exact.length;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Exact top-k ids of every query (the recall baseline) and the exact scan's latencies. */
export async function exactResults(backend: Backend, collection: string, queries: readonly Float32Array[]) {
  const ids: string[][] = [];
  const ms: number[] = [];
  for (const q of queries) {
    const r = await grpcSearch(backend, collection, q, { exact: true });
    ids.push(r.ids);
    ms.push(r.ms);
  }
  return { ids, ms };
}

/** Recall at the collection's default ef_search and at 40; HNSW p50 against the exact scan's p50. */
export async function measureRecallAndSpeed(backend: Backend, collection: string, queries: readonly Float32Array[], exact: { ids: string[][]; ms: number[] }) {
  const atDefault: number[] = [];
  const at40: number[] = [];
  const hnswMs: number[] = [];
  // NOTE: one untimed pass first, as a serving index is warm: at 100,000 × 512-d the HNSW index (≈ 260 MB) is
  // larger than Postgres' default shared_buffers, and a query's first walk reads its pages from the OS cache. The
  // exact scan needs no such pass: its sequential reads go through a small ring buffer whatever is cached.
  for (const q of queries) await grpcSearch(backend, collection, q);
  for (let i = 0; i < queries.length; i++) {
    const d = await grpcSearch(backend, collection, queries[i]!);
    atDefault.push(recall(d.ids, exact.ids[i]!));
    hnswMs.push(d.ms);
    at40.push(recall((await grpcSearch(backend, collection, queries[i]!, { efSearch: 40 })).ids, exact.ids[i]!));
  }
  const recallDefault = mean(atDefault);
  const measures: Measure[] = [
    valueMeasure(
      {
        id: 'search.recall_default_ef',
        name: 'recall@10, default ef_search (100)',
        value: recallDefault,
        unit: '',
        baseline: 1,
        baselineName: 'exact results',
      },
      '>=',
      0.98,
      '≥ 0.98',
    ),
    valueMeasure(
      { id: 'search.recall_ef40', name: 'recall@10, ef_search 40', value: mean(at40), unit: '', baseline: 1, baselineName: 'exact results' },
      '>=',
      0.95,
      '≥ 0.95',
    ),
    ratioMeasure(
      {
        id: 'search.hnsw_p50_vs_exact',
        name: 'HNSW search p50 (gRPC)',
        value: percentile(hnswMs, 0.5),
        unit: 'ms',
        baseline: percentile(exact.ms, 0.5),
        baselineName: 'exact scan p50 (gRPC)',
      },
      '<=',
      0.05,
    ),
  ];
  return { recallDefault, measures };
}

/**
 * Runs every function once, one after the other, starting with function `round mod n` and going round, and returns
 * their results in the order given (with two: the first goes first on even rounds, the second on odd ones).
 * NOTE: the second search of a query vector finds the index pages it walks already in cache, so no side may always
 * go second.
 */
export async function allInTurn<T extends unknown[]>(round: number, fns: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  const results = new Array(fns.length) as T;
  for (let k = 0; k < fns.length; k++) {
    const i = (round + k) % fns.length;
    results[i] = await fns[i]!();
  }
  return results;
}

/** The collection as the search SQL builders need it (defaults of CreateCollection). */
function collectionInfo(tableName: string, dimension: number): CollectionInfo {
  return {
    name: '',
    embeddingType: 'visual_clip',
    tableName,
    dimension,
    distance: 'cosine',
    precision: 'float32',
    hnswM: 16,
    hnswEfConstruction: 128,
    hnswEfSearch: 100,
  } as CollectionInfo;
}

/**
 * The service's own search statement sent straight to the database, as the service sends it on a warm pooled
 * connection: the HNSW settings set once on the connection, then per search the one statement (with the check of
 * the cached collection against the registry) and the query vector as a binary parameter (text on PGlite).
 * Resolves with its latency in ms.
 */
export async function directSearch(backend: Backend, collection: string, table: string, dimension: number): Promise<(vector: Float32Array) => Promise<number>> {
  const info = { ...collectionInfo(table, dimension), name: collection };
  const query = { topK: TOP_K, efSearch: 0, exact: false, groupByContent: false, withVectors: false, filter: { contentIds: [] } };
  const settings = setConfigStatement(Object.entries(hnswSettings(info, query, false)), false);
  await backend.direct.query(settings.sql, settings.params);
  const binary = backend.name === 'postgres';
  return async (vector: Float32Array) => {
    const statement = searchStatement(info, query, binary ? vectorField(vector) : toPgvectorText(vector), undefined, 'default');
    const start = nowMs();
    await backend.direct.query(statement.sql, statement.params);
    return nowMs() - start;
  };
}

/** The sizes of a search's request and answer as protobuf (for an echo of the same sizes). */
export async function searchSizes(backend: Backend, collection: string, vector: Float32Array): Promise<{ request: Buffer; responseBytes: number }> {
  const request = searchRequest(collection, vector);
  const response = await call(backend.embedding, backend.embedding.search, request);
  return { request: Buffer.from(SearchRequest.encode(request).finish()), responseBytes: SearchResponse.encode(response).finish().length };
}

/**
 * gRPC search p50/p99 against the same statement sent straight to the database (directSearch), and the call's
 * added cost (gRPC p50 − SQL p50) against a bare grpc-js echo of the same request and answer sizes in a process of
 * its own (the transport floor). Beside it, in the same process: the echo served by a second gRPC implementation
 * (connect-node), and two lower floors that show what no gRPC server in Node can go
 * under: the same exchange on node:http2 with no gRPC library, and a plain TCP round trip. All take turns so that
 * machine noise hits all alike.
 */
export async function measureGrpcOverhead(
  backend: Backend,
  collection: string,
  table: string,
  queries: readonly Float32Array[],
  reps: number,
): Promise<Measure[]> {
  const direct = await directSearch(backend, collection, table, queries[0]!.length);
  const sizes = await searchSizes(backend, collection, queries[0]!);
  const echo = await startEcho(sizes.request.length, sizes.responseBytes);
  const calls = [
    (q: Float32Array) => grpcSearch(backend, collection, q).then((r) => r.ms),
    (q: Float32Array) => direct(q),
    () => echo.call(sizes.request),
    () => echo.callConnect(sizes.request),
    () => echo.callHttp2(sizes.request),
    () => echo.callTcp(sizes.request),
  ];
  const [grpcMs, sqlMs, echoMs, connectMs, http2Ms, tcpMs] = calls.map((): number[] => []);
  try {
    for (let i = 0; i < Math.min(10, queries.length); i++) for (const c of calls) await c(queries[i]!);
    progress(
      `${backend.name}: ${reps} searches through gRPC, ${reps} as direct SQL and ${reps} of each floor (grpc-js echo, connect-node echo, node:http2, TCP; ${sizes.responseBytes} B answers), taking turns`,
    );
    for (let i = 0; i < reps; i++) {
      const q = queries[i % queries.length]!;
      const times = await allInTurn<number[]>(
        i,
        calls.map((c) => () => c(q)),
      );
      const series = [grpcMs, sqlMs, echoMs, connectMs, http2Ms, tcpMs];
      for (const [k, ms] of times.entries()) series[k]!.push(ms);
    }
  } finally {
    await echo.stop();
  }
  const baselineName = backend.name === 'postgres' ? 'same SQL via pg' : 'same SQL on the PGlite instance';
  const sqlP50 = percentile(sqlMs!, 0.5);
  const addedMs = percentile(grpcMs!, 0.5) - sqlP50;
  const echoP50 = percentile(echoMs!, 0.5);
  const echoName = `bare grpc-js echo p50, same sizes (${sizes.responseBytes} B answer)`;
  /** A lower floor's p50, next to the grpc-js echo's (informative). */
  const floorMeasure = (id: string, what: string, samples: number[]) =>
    infoMeasure({
      id,
      name: `floor: ${what}, p50`,
      value: percentile(samples, 0.5),
      unit: 'ms',
      baseline: echoP50,
      baselineName: echoName,
      ratio: percentile(samples, 0.5) / echoP50,
    });
  return [
    ratioMeasure(
      { id: 'search.grpc_p50_vs_sql', name: 'gRPC search p50', value: percentile(grpcMs!, 0.5), unit: 'ms', baseline: sqlP50, baselineName },
      '<=',
      1.3,
    ),
    ratioMeasure(
      { id: 'search.grpc_p99_vs_sql', name: 'gRPC search p99', value: percentile(grpcMs!, 0.99), unit: 'ms', baseline: percentile(sqlMs!, 0.99), baselineName },
      '<=',
      1.5,
    ),
    ratioMeasure(
      {
        id: 'search.added_vs_echo',
        name: 'gRPC search added cost (gRPC p50 − SQL p50)',
        value: addedMs,
        unit: 'ms',
        baseline: echoP50,
        baselineName: echoName,
      },
      '<=',
      1.5,
    ),
    floorMeasure('search.connect_floor_p50', 'the same echo served by connect-node (gRPC on node:http2), grpc-js client', connectMs!),
    floorMeasure('search.http2_floor_p50', 'the same exchange on node:http2 at both ends, no gRPC library', http2Ms!),
    floorMeasure('search.tcp_floor_p50', 'one plain TCP round trip of the same sizes', tcpMs!),
    infoMeasure({
      id: 'search.zero_cost_server_ratio',
      name: 'gRPC/SQL p50 ratio of a server costing nothing: (SQL p50 + node:http2 floor p50) / SQL p50',
      value: (sqlP50 + percentile(http2Ms!, 0.5)) / sqlP50,
      unit: '',
      note: `with the grpc-js floor instead: ${((sqlP50 + echoP50) / sqlP50).toFixed(3)}`,
    }),
  ];
}

/** Filtered search at 10 % selectivity against unfiltered search, alternating. */
export async function measureFiltered(backend: Backend, collection: string, queries: readonly Float32Array[], reps: number): Promise<Measure[]> {
  const filteredMs: number[] = [];
  const plainMs: number[] = [];
  let full = 0;
  for (let i = 0; i < reps; i++) {
    const q = queries[i % queries.length]!;
    const [p, f] = await allInTurn(i, [() => grpcSearch(backend, collection, q), () => grpcSearch(backend, collection, q, { filter: TEN_PERCENT })]);
    plainMs.push(p.ms);
    filteredMs.push(f.ms);
    if (f.ids.length === TOP_K) full++;
  }
  return [
    valueMeasure(
      { id: 'filtered.full_k_fraction', name: 'filtered search (10 %): queries with all k hits', value: full / reps, unit: '' },
      '>=',
      0.99,
      '≥ 0.99',
    ),
    ratioMeasure(
      {
        id: 'filtered.p50_vs_unfiltered',
        name: 'filtered search (10 %) p50',
        value: percentile(filteredMs, 0.5),
        unit: 'ms',
        baseline: percentile(plainMs, 0.5),
        baselineName: 'unfiltered p50',
      },
      '<=',
      3,
    ),
  ];
}
