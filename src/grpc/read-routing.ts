// Which RPCs only read (their database sessions may go to a read replica), and the WAL-position metadata that keeps
// reads fresh across service replicas: writes answer `x-stakazo-lsn`, a read sending it back as `x-stakazo-min-lsn`
// is served at least that fresh.
import { Metadata } from '@grpc/grpc-js';
import { formatLsn, parseLsn } from '../db/lsn.js';
import type { WorkScope } from '../db/work-scope.js';
import { invalidArgument } from '../errors.js';

/**
 * RPCs that write nothing. NOTE: a method missing here is merely served by the primary; one listed wrongly is
 * caught by the replica (its sessions are read-only, so a write fails there and is run again on the primary).
 */
export const READ_ONLY_METHODS: ReadonlySet<string> = new Set([
  // embedding
  'GetCollection',
  'ListCollections',
  'GetPoints',
  'Scroll',
  'Search',
  'SearchBatch',
  'Recommend',
  'ListAliases',
  // metrics
  'GetContent',
  'ListContent',
  'GetPost',
  'ListPosts',
  'QueryMetrics',
  'ExportMetrics',
  'ListDailySnapshots',
  // learning
  'GetDailySnapshot',
  'GetRetentionAnalysis',
  'GetRetentionClusters',
  'GetLearningReport',
  'ListLearningRuns',
  'PredictVirality',
  'GetBestTimeToPost',
  'GetLearningSettings',
  // experiment
  'GetExperiment',
  'ListExperiments',
  'GetExperimentResult',
]);

/** Metadata key a write answers its WAL position under. */
export const LSN_KEY = 'x-stakazo-lsn';
/** Metadata key a read sends a WAL position under, to be served at least that fresh. */
export const MIN_LSN_KEY = 'x-stakazo-min-lsn';

/** The work scope of a call: its signal, tenant, whether it only reads, and the freshness it asks for. */
export function scopeOf(method: string, tenantId: string, signal: AbortSignal, metadata: Metadata): WorkScope {
  return { signal, tenantId, readOnly: READ_ONLY_METHODS.has(method), minLsn: minLsnOf(metadata) };
}

function minLsnOf(metadata: Metadata): bigint | undefined {
  const sent = metadata.get(MIN_LSN_KEY)[0];
  if (sent === undefined) return undefined;
  const lsn = typeof sent === 'string' ? parseLsn(sent) : undefined;
  if (lsn === undefined) {
    throw invalidArgument(
      `${MIN_LSN_KEY} metadata "${String(sent)}" is not a WAL position; send back the ${LSN_KEY} a write answered (e.g. 0/16B3748)`,
      MIN_LSN_KEY,
    );
  }
  return lsn;
}

/** Trailing metadata of a finished call: its write's WAL position, when it wrote on Postgres. */
export function trailerOf(scope: WorkScope | undefined): Metadata | undefined {
  if (scope?.commitLsn === undefined) return undefined;
  const trailer = new Metadata();
  trailer.set(LSN_KEY, formatLsn(scope.commitLsn));
  return trailer;
}
