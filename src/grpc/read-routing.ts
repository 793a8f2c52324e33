// Which RPCs only read (the contract says so; their database sessions may go to a read replica), and the WAL-position
// metadata that keeps reads fresh across service replicas: writes answer `x-stakazo-lsn`, a read sending it back as
// `x-stakazo-min-lsn` is served at least that fresh.
import { Metadata } from '@grpc/grpc-js';
import { MethodOptions_IdempotencyLevel, type FileDescriptorSet } from '@bufbuild/protobuf/wkt';
import { formatLsn, parseLsn } from '../db/lsn.js';
import type { WorkScope } from '../db/work-scope.js';
import { invalidArgument } from '../errors.js';

/**
 * The RPCs that write nothing, as the contract declares them: every method with
 * `option idempotency_level = NO_SIDE_EFFECTS;` in the descriptor set built by `npm run generate`. Read once at
 * start-up, so a new read-only RPC is routed to the replicas by declaring it. NOTE: a method not declared so is
 * merely served by the primary; one declared wrongly is caught by the replica (its sessions are read-only, so a
 * write fails there and is run again on the primary).
 */
export function readOnlyMethods(descriptorSet: FileDescriptorSet): ReadonlySet<string> {
  const levels = new Map<string, boolean>();
  for (const file of descriptorSet.file) {
    for (const service of file.service) {
      for (const method of service.method) {
        const readOnly = method.options?.idempotencyLevel === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS;
        // NOTE: the handler wrappers know a method by its bare name, so one name must mean one level everywhere.
        if (levels.has(method.name) && levels.get(method.name) !== readOnly) {
          throw new Error(`${method.name} is declared NO_SIDE_EFFECTS in one service and not in another; rename one`);
        }
        levels.set(method.name, readOnly);
      }
    }
  }
  return new Set([...levels].filter(([, readOnly]) => readOnly).map(([name]) => name));
}

/** Metadata key a write answers its WAL position under. */
export const LSN_KEY = 'x-stakazo-lsn';
/** Metadata key a read sends a WAL position under, to be served at least that fresh. */
export const MIN_LSN_KEY = 'x-stakazo-min-lsn';

/** The work scope of a call: its signal, tenant, whether it only reads, and the freshness it asks for. */
export function scopeOf(readOnly: boolean, tenantId: string, signal: AbortSignal, metadata: Metadata): WorkScope {
  return { signal, tenantId, readOnly, minLsn: minLsnOf(metadata) };
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
