#!/usr/bin/env node
// `npx stakazo-ml <command>`: runs src/cli.ts through tsx.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli.ts');
