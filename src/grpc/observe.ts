// Hook through which the handler wrappers report each finished call (to Prometheus metrics, when enabled).

/** Receives one event per finished call. */
export interface CallObserver {
  onCall(method: string, code: number, durationMs: number): void;
}
