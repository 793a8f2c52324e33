// Retained-heap measurement: heapUsed right after a full garbage collection (heapUsed alone counts garbage too).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collectGarbage: (() => void) | undefined;

/** A full garbage collection now; gc is exposed at run time when node was not started with --expose-gc. */
export function gcNow(): void {
  if (!collectGarbage) {
    setFlagsFromString('--expose-gc');
    collectGarbage = (globalThis as { gc?: () => void }).gc ?? (runInNewContext('gc') as () => void);
  }
  collectGarbage();
}

/** heapUsed after full garbage collections: what the process really retains. */
export async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gcNow();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}
