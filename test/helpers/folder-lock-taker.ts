// A worker thread racing for a data folder's lock: at each trial (a shared counter moves to the trial's number) it
// tries to take the lock, says whether it won, and holds a won lock until told to let go, so that no later taker
// can win legitimately while the others still try.
import { parentPort, workerData } from 'node:worker_threads';
import { lockDataFolder } from '../../src/db/folder-lock.js';

const { dir, start } = workerData as { dir: string; start: Int32Array };
const port = parentPort!;
let lock: { release(): void } | undefined;
port.on('message', (message: { trial?: number; release?: boolean }) => {
  if (message.release) {
    lock?.release();
    lock = undefined;
    port.postMessage('released');
    return;
  }
  // All takers are released at the same instant, so they hit the window between reading and replacing the lock.
  Atomics.wait(start, 0, message.trial! - 1);
  try {
    lock = lockDataFolder(dir);
    port.postMessage('won');
  } catch (err) {
    port.postMessage(`lost: ${(err as Error).message}`);
  }
});
port.postMessage('ready');
