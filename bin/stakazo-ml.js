#!/usr/bin/env node
// `npx stakazo-ml <command>` (and `npm start`, `npm run cli`): runs the compiled CLI in dist/, compiling it first when
// it is missing or older than the sources (bin/build.js). Development and tests run src/ through tsx instead.
import { ensureBuilt } from './build.js';

try {
  ensureBuilt();
} catch (err) {
  process.stderr.write(`stakazo-ml: ${err.message.split('\n')[0]}\n${err.message.includes('\n') ? `${err.message}\n` : ''}`);
  process.exit(1);
}
await import('../dist/src/cli.js');
