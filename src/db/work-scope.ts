// The scope of the work a call started: its cancellation signal (client cancel or deadline) and how its reads may be
// routed, carried to the database layer through AsyncLocalStorage so every query of the call follows them without
// threading them by hand.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface WorkScope {
  /** Aborted when the caller cancels or its deadline passes. */
  signal?: AbortSignal;
  /** The tenant the work is for: its last write's WAL position decides whether a replica is fresh enough. */
  tenantId?: string;
  /**
   * The call only reads (set by the handler wrapper from its table of read-only RPCs): its sessions may go to a
   * read replica. Anything else, and any work outside a call, uses the primary.
   */
  readOnly?: boolean;
  /** A WAL position the caller has seen (`x-stakazo-min-lsn`): reads are served at least that fresh. */
  minLsn?: bigint;
  /** Set by the sessions of a writing call: the primary's WAL position after its last write. */
  commitLsn?: bigint;
  /** Bench-only (TRACE_FILE): stamps a stage of the call on the shared monotonic clock. */
  trace?: (stage: string) => void;
}

const storage = new AsyncLocalStorage<WorkScope>();

/** Runs `fn` with `scope` visible to the database sessions it opens. */
export function runInScope<T>(scope: WorkScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The scope of the current call, if any. */
export function currentScope(): WorkScope | undefined {
  return storage.getStore();
}
