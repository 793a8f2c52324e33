// The deadline of a call, attached to its AbortSignal, so that every place where long work may stop compares the
// clock with the deadline itself instead of waiting for an event to say it passed.
// NOTE: on a loaded machine grpc-js's deadline timer (and our own) fires late: the event loop is busy running the
// very work that should stop. A check against Date.now() at each checkpoint is exact whatever the load.
import { AppError } from '../errors.js';

interface Registered {
  deadlineMs: number;
  controller: AbortController;
}

const deadlines = new WeakMap<AbortSignal, Registered>();

/** The reason a call stopped at its deadline: answered as DEADLINE_EXCEEDED. */
export function deadlineExceeded(): AppError {
  return new AppError('deadline_exceeded', 'the call reached its deadline; work not started by then was not started');
}

/**
 * Ties `deadlineMs` (epoch ms on this process's clock; Infinity for none) to `controller`'s signal: checkpoints
 * calling `throwIfStopped` abort it once the clock reaches the deadline, and a timer aborts it too for work waiting
 * on no checkpoint (e.g. a query, cancelled through the signal). Returns the function that disarms the timer.
 */
export function armDeadline(controller: AbortController, deadlineMs: number): () => void {
  if (!Number.isFinite(deadlineMs)) return () => undefined;
  deadlines.set(controller.signal, { deadlineMs, controller });
  const remainingMs = deadlineMs - Date.now();
  if (remainingMs <= 0) {
    controller.abort(deadlineExceeded());
    return () => undefined;
  }
  // NOTE: setTimeout takes at most 2^31-1 ms; a later deadline is left to the checkpoints and grpc-js.
  if (remainingMs > 2 ** 31 - 1) return () => undefined;
  const timer = setTimeout(() => controller.abort(deadlineExceeded()), remainingMs);
  timer.unref();
  return () => clearTimeout(timer);
}

/** The deadline registered for `signal` (epoch ms), or undefined. */
export function deadlineOf(signal: AbortSignal | undefined): number | undefined {
  return signal ? deadlines.get(signal)?.deadlineMs : undefined;
}

/** Whether the work of `signal` must stop: it was aborted, or its deadline has passed (then it is aborted now). */
export function stopped(signal: AbortSignal | undefined): boolean {
  if (!signal) return false;
  if (signal.aborted) return true;
  const registered = deadlines.get(signal);
  if (registered && Date.now() >= registered.deadlineMs) {
    registered.controller.abort(deadlineExceeded());
    return true;
  }
  return false;
}

/** Throws the abort reason when the work of `signal` must stop (cancelled, or its deadline passed). */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (stopped(signal)) signal?.throwIfAborted();
}

/**
 * Throws when the work of `signal` must stop, without aborting it: for a check inside a transaction, where an abort
 * would also cancel the statement rolling it back. The abort follows at the next checkpoint or the timer.
 */
export function throwIfPastDeadline(signal: AbortSignal | undefined): void {
  if (!signal) return;
  signal.throwIfAborted();
  const deadlineMs = deadlineOf(signal);
  if (deadlineMs !== undefined && Date.now() >= deadlineMs) throw deadlineExceeded();
}
