// Global set-up of the system tests (`npm run test:system`): builds dist/ once, before the parallel workers start,
// when it is missing or older than the sources, so the child processes they start run the compiled server and CLI as
// users do (`npx stakazo-ml`, `npm start`) and never race to rebuild it.
import { ensureBuilt } from '../../bin/build.js';

export function mochaGlobalSetup(): void {
  ensureBuilt();
}
