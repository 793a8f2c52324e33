// The scope of the work a call started: its cancellation signal (client cancel or deadline), carried to the database layer
// through AsyncLocalStorage so every query of a cancelled call is cancelled too, without threading it by hand.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface WorkScope {
  /** Aborted when the caller cancels or its deadline passes. */
  signal?: AbortSignal;
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
