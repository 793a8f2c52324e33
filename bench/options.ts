// Command-line options of `npm run bench`: back-end, sizes, repetitions, quick or full mode, output path.

export type BackendName = 'pglite' | 'postgres';

export interface BenchOptions {
  backends: BackendName[];
  mode: 'quick' | 'full';
  /** Vectors in the main collection. */
  vectorCount: number;
  dimension: number;
  /** Metric records streamed (and read by the learning run). */
  metricRecords: number;
  /** Repetitions of each timed single call (searches, unary writes, predictions). */
  reps: number;
  /** Seconds each side of the concurrency measure runs. */
  concurrencySeconds: number;
  databaseUrl: string;
  /** Where the JSON result goes. */
  outPath: string | undefined;
  /** Only the footprint and CLI start-up measures. */
  footprintOnly: boolean;
  /** Stages to run (keys of STAGES); all when undefined. */
  only: ReadonlySet<StageKey> | undefined;
  /** Searches traced across client and server (`--trace`, Postgres only); 0 = no trace. */
  traceCalls: number;
}

/** The stages of a run, by the key `--only` takes. */
export const STAGES = [
  'ingest',
  'recall',
  'overhead',
  'filtered',
  'bulk',
  'recommend',
  'crossmodal',
  'fusion',
  'halfvec',
  'concurrency',
  'metrics',
  'unary',
  'learning',
  'virality',
  'footprint',
] as const;
export type StageKey = (typeof STAGES)[number];

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/stakazo_bench';

const USAGE = `usage: npm run bench -- [--quick | --full] [--backend pglite|postgres|both] [--size N] [--records N] [--reps N] [--only a,b] [--trace [N]] [--out file.json] [--footprint-only]
  --quick     small data, finishes in under 2 minutes (default)
  --full      100,000 x 512-d vectors and 1,000,000 metric records
  --backend   which database; postgres uses DATABASE_URL or ${DEFAULT_DATABASE_URL} (the default database is dropped and created afresh at each run; one of DATABASE_URL is created if missing, never dropped)
  --size N    vectors in the main collection
  --records N metric records streamed and learned from
  --reps N    repetitions of each timed call
  --only a,b  run only these stages (${STAGES.join(', ')}); the vector ingest runs whenever a search stage does
  --trace [N] trace N searches (default 300) across the bench and a traced server process: p50 per stage (postgres only)
  --footprint-only  only the server's memory and start-up and the CLI's start-up`;

function positiveInt(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"\n${USAGE}`);
  return value;
}

/** Parses argv (without node and the script). */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  let mode: 'quick' | 'full' = 'quick';
  let backend = 'both';
  const given: Partial<Record<'size' | 'records' | 'reps', number>> = {};
  let outPath: string | undefined;
  let footprintOnly = false;
  let only: Set<StageKey> | undefined;
  let traceCalls = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => argv[++i];
    if (arg === '--quick') mode = 'quick';
    else if (arg === '--full') mode = 'full';
    else if (arg === '--backend') backend = next() ?? '';
    else if (arg === '--size') given.size = positiveInt('--size', next());
    else if (arg === '--records') given.records = positiveInt('--records', next());
    else if (arg === '--reps') given.reps = positiveInt('--reps', next());
    else if (arg === '--out') outPath = next();
    else if (arg === '--footprint-only') footprintOnly = true;
    else if (arg === '--only') only = stageKeys(next());
    else if (arg === '--trace') traceCalls = /^\d+$/.test(argv[i + 1] ?? '') ? positiveInt('--trace', next()) : 300;
    else if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    else throw new Error(`unknown option "${arg}"\n${USAGE}`);
  }
  const backends: BackendName[] = backend === 'both' ? ['pglite', 'postgres'] : backend === 'pglite' || backend === 'postgres' ? [backend] : [];
  if (backends.length === 0) throw new Error(`--backend must be pglite, postgres or both, got "${backend}"\n${USAGE}`);
  const full = mode === 'full';
  return {
    backends,
    mode,
    vectorCount: given.size ?? (full ? 100_000 : 2_000),
    dimension: 512,
    metricRecords: given.records ?? (full ? 1_000_000 : 10_000),
    reps: given.reps ?? (full ? 300 : 40),
    concurrencySeconds: full ? 10 : 2,
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    outPath,
    footprintOnly,
    only,
    traceCalls,
  };
}

function stageKeys(raw: string | undefined): Set<StageKey> {
  const keys = (raw ?? '').split(',').filter(Boolean);
  const unknown = keys.filter((k) => !(STAGES as readonly string[]).includes(k));
  if (keys.length === 0 || unknown.length > 0) throw new Error(`--only takes stages among ${STAGES.join(', ')}, got "${raw ?? ''}"\n${USAGE}`);
  return new Set(keys as StageKey[]);
}
