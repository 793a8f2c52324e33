// `--trace`: where one search's time goes, across the bench client and the server process. The server is started
// once more with TRACE_FILE (src/observability/call-trace.ts: it stamps its stages, keyed by x-request-id, and writes
// them when it stops); this client stamps its own around the same calls, on the same monotonic clock
// (process.hrtime.bigint reads CLOCK_MONOTONIC, shared by every process on the machine). Only this stage's server
// and client are traced: the other measures run untraced.
import http2 from 'node:http2';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { EmbeddingServiceClient, EmbeddingServiceService, type SearchRequest, type SearchResponse } from '../src/gen/stakazo/ml/v1/embedding.js';
import { type Backend, CLIENT_OPTIONS, freePort, serverEnv, startServerProcess } from './backend.js';
import { allInTurn, directSearch, searchRequest } from './measures/search.js';
import { percentile, progress } from './stats.js';

type Stamps = Array<readonly [string, bigint]>;

/** The client's stamps of each traced call, by request id. */
const clientStamps = new Map<string, Stamps>();
const now = () => process.hrtime.bigint();

let patched = false;
/**
 * Stamps, for the calls this module makes, when grpc-js hands the request to HTTP/2, when its bytes are written, and
 * when the answer's headers, first data and trailers arrive. NOTE: grpc-js opens its sessions with `http2.connect`
 * and a stream per call with `session.request`; wrapping them (in the bench process only, for clients created after
 * this) is the only place those moments are visible. Calls without a traced request id pass through untouched.
 */
function traceHttp2(): void {
  if (patched) return;
  patched = true;
  const connect = http2.connect;
  http2.connect = function (this: unknown, ...args: Parameters<typeof connect>) {
    const session = connect.apply(this, args);
    const request = session.request;
    session.request = function (this: http2.ClientHttp2Session, headers?: http2.OutgoingHttpHeaders, options?: http2.ClientSessionRequestOptions) {
      const id = headers?.['x-request-id'];
      const stamps = typeof id === 'string' ? clientStamps.get(id) : undefined;
      stamps?.push(['client.request', now()]);
      const stream = request.call(this, headers, options);
      if (stamps) {
        const write = stream.write.bind(stream) as (chunk: unknown, callback: (err?: Error | null) => void) => boolean;
        stream.write = ((chunk: unknown, callback?: (err?: Error | null) => void) => {
          stamps.push(['client.write', now()]);
          return write(chunk, (err) => {
            stamps.push(['client.written', now()]);
            callback?.(err);
          });
        }) as typeof stream.write;
        stream.once('response', () => stamps.push(['client.headers', now()]));
        stream.once('data', () => stamps.push(['client.data', now()]));
        stream.once('trailers', () => stamps.push(['client.trailers', now()]));
      }
      return stream;
    } as typeof session.request;
    return session;
  } as typeof http2.connect;
}

/** One search as the bench makes it (grpcSearch: the ts-proto method's serializers, a deadline, the hit ids read). */
function tracedSearch(client: EmbeddingServiceClient, request: SearchRequest, id: string): Promise<void> {
  const def = EmbeddingServiceService.search;
  const stamps: Stamps = [];
  clientStamps.set(id, stamps);
  const metadata = new Metadata();
  metadata.set('x-request-id', id);
  stamps.push(['client.start', now()]);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      def.path,
      (value: SearchRequest) => {
        stamps.push(['client.encode.start', now()]);
        const bytes = def.requestSerialize(value);
        stamps.push(['client.encode.end', now()]);
        return bytes;
      },
      (bytes: Buffer) => {
        stamps.push(['client.decode.start', now()]);
        const response = def.responseDeserialize(bytes);
        stamps.push(['client.decode.end', now()]);
        return response;
      },
      request,
      metadata,
      { deadline: new Date(Date.now() + 600_000) },
      (err: Error | null, response?: SearchResponse) => {
        stamps.push(['client.callback', now()]);
        if (err) return reject(err);
        response!.hits.map((h) => h.point!.id);
        stamps.push(['client.done', now()]);
        resolve();
      },
    );
  });
}

/** The stages of a search in the order they happen; each row of the table is the time from one to the next. */
const CHAIN: ReadonlyArray<readonly [stamp: string, label: string]> = [
  ['client.start', 'client: grpc-js call set-up'],
  ['client.encode.start', 'client: encode request (protobuf)'],
  ['client.encode.end', 'client: grpc-js until HTTP/2 stream opened'],
  ['client.request', 'client: until request bytes handed to HTTP/2'],
  ['client.write', 'transport in: client write → server sees headers (loopback, wake-up, nghttp2)'],
  ['server.headers', 'server: grpc-js headers → request decoded'],
  ['server.decoded', 'server: decoded → half-close'],
  ['server.halfclose', 'server: half-close → handler wrapper'],
  ['handler.start', 'server: auth (token cache) + call context'],
  ['auth.done', 'server: validate + service until pool acquire'],
  ['acquire.start', 'server: pool acquire (tarn)'],
  ['acquire.end', 'server: build statement + encode query vector'],
  ['query.sent', 'SQL round trip (Postgres + pg parsing the rows)'],
  ['query.done', 'server: release connection, map rows and hits'],
  ['service.done', 'server: until response handed to grpc-js'],
  ['encode.start', 'server: encode response (protobuf + frame)'],
  ['server.write', 'transport out: server write → client sees headers'],
  ['client.headers', 'client: headers → first data'],
  ['client.data', 'client: data → decode'],
  ['client.decode.start', 'client: decode response (protobuf)'],
  ['client.decode.end', 'client: decoded → callback (trailers, status)'],
  ['client.callback', "client: the bench's own work (read hit ids)"],
  ['client.done', ''],
];

export interface TraceRow {
  stage: string;
  p50Ms: number;
  /** Where the stage runs: client, server, transport or sql. */
  side: string;
}

export interface TraceResult {
  calls: number;
  rows: TraceRow[];
  /** p50 of the whole call as the client saw it (traced) and of the same SQL sent directly, alternating. */
  totalP50Ms: number;
  directSqlP50Ms: number;
  /** p50 of the server's own span (headers in → response written) and the time outside the two processes' JS. */
  serverSpanP50Ms: number;
}

function first(stamps: Stamps | undefined, stage: string): bigint | undefined {
  return stamps?.find(([s]) => s === stage)?.[1];
}

/** p50 of each stage over the calls whose stamps are complete. */
function analyse(client: Map<string, Stamps>, server: Record<string, Array<[string, string]>>, directMs: number[]): TraceResult {
  const perStage = CHAIN.slice(0, -1).map(() => [] as number[]);
  const totals: number[] = [];
  const serverSpans: number[] = [];
  for (const [id, stamps] of client) {
    const serverStamps: Stamps = (server[id] ?? []).map(([s, ns]) => [s, BigInt(ns)] as const);
    // NOTE: the last query.done, so the statement is the search's own (a settings statement may come first).
    const all: Stamps = [...stamps, ...serverStamps];
    const times = CHAIN.map(([stage]) =>
      stage === 'query.done' ? serverStamps.filter(([s]) => s === stage).at(-1)?.[1] : first(stage.startsWith('client.') ? stamps : serverStamps, stage),
    );
    if (times.some((t) => t === undefined) || all.length === 0) continue;
    for (let k = 0; k < perStage.length; k++) perStage[k]!.push(Number(times[k + 1]! - times[k]!) / 1e6);
    totals.push(Number(times.at(-1)! - times[0]!) / 1e6);
    serverSpans.push(Number(first(serverStamps, 'server.write')! - first(serverStamps, 'server.headers')!) / 1e6);
  }
  const side = (label: string) => label.split(':')[0]!.replace('SQL round trip (Postgres + pg parsing the rows)', 'sql');
  return {
    calls: totals.length,
    rows: CHAIN.slice(0, -1).map(([, label], k) => ({ stage: label, p50Ms: percentile(perStage[k]!, 0.5), side: side(label) })),
    totalP50Ms: percentile(totals, 0.5),
    directSqlP50Ms: percentile(directMs, 0.5),
    serverSpanP50Ms: percentile(serverSpans, 0.5),
  };
}

/**
 * Traces `calls` searches (after a warm-up) on a second server process of the same database with TRACE_FILE set,
 * alternating with the same statement sent directly. Postgres only: on PGlite the server shares the bench's process.
 */
export async function traceSearch(backend: Backend, collection: string, table: string, queries: readonly Float32Array[], calls: number): Promise<TraceResult> {
  if (!backend.databaseUrl) throw new Error('--trace needs the postgres back-end (the server must be a process of its own)');
  const dir = mkdtempSync(join(tmpdir(), 'stakazo-trace-'));
  const traceFile = join(dir, 'server-trace.json');
  traceHttp2();
  clientStamps.clear();
  const server = await startServerProcess({ ...serverEnv(dir), PORT: String(await freePort()), DATABASE_URL: backend.databaseUrl, TRACE_FILE: traceFile });
  const client = new EmbeddingServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure(), CLIENT_OPTIONS);
  const direct = await directSearch(backend, collection, table, queries[0]!.length);
  const directMs: number[] = [];
  try {
    const requests = queries.map((q) => searchRequest(collection, q));
    for (let i = 0; i < 20; i++) await tracedSearch(client, requests[i % requests.length]!, `warm-${i}`);
    clientStamps.clear();
    progress(`${backend.name}: tracing ${calls} searches across the bench and a traced server process`);
    for (let i = 0; i < calls; i++) {
      const q = i % queries.length;
      const [, sqlMs] = await allInTurn<[unknown, number]>(i, [() => tracedSearch(client, requests[q]!, `trace-${i}`), () => direct(queries[q]!)]);
      directMs.push(sqlMs);
    }
  } finally {
    client.close();
    await server.stop();
  }
  const serverStamps = JSON.parse(readFileSync(traceFile, 'utf8')) as Record<string, Array<[string, string]>>;
  rmSync(dir, { recursive: true, force: true });
  // BENCH_TRACE_DUMP: a file for every call's raw stamps (client and server), to look further than the table.
  if (process.env.BENCH_TRACE_DUMP) {
    const raw = Object.fromEntries(
      [...clientStamps].map(([id, stamps]) => [id, [...stamps.map(([s, ns]) => [s, ns.toString()]), ...(serverStamps[id] ?? [])]]),
    );
    writeFileSync(process.env.BENCH_TRACE_DUMP, JSON.stringify(raw));
  }
  return analyse(clientStamps, serverStamps, directMs);
}

/** The trace as a markdown table. */
export function traceTable(trace: TraceResult): string {
  const f = (ms: number) => (ms * 1000).toFixed(0);
  const lines = [
    `#### Where a search's time goes (p50 of each stage over ${trace.calls} traced calls, µs)`,
    '',
    '| stage | p50 µs |',
    '|---|---|',
    ...trace.rows.map((r) => `| ${r.stage} | ${f(r.p50Ms)} |`),
    `| **whole call, client start → done** | **${f(trace.totalP50Ms)}** |`,
    `| server span, headers in → response written | ${f(trace.serverSpanP50Ms)} |`,
    `| the same SQL sent directly with pg (alternating) | ${f(trace.directSqlP50Ms)} |`,
  ];
  return lines.join('\n');
}
