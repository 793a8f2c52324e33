// Every shell block of README.md and docs/*.md, run exactly as written, top to bottom as one bash session per
// document, against a fresh server on a fresh database (only the address is changed: localhost:50051 and
// localhost:9464 become the test server's ports). grpcurl (scripts/install-go-tools.sh) is first on PATH; the CLI
// commands of the docs (`npx stakazo-ml …`) run on the same database through DATA_DIR / DATABASE_URL. A block that
// cannot run here says why in the docs (`# not run by the docs test: …`); one meant to fail says with which code
// (`# fails: INVALID_ARGUMENT`), and is checked for it.
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import pg from 'pg';
import { type DocBlock, findGrpcurl, normaliseCode, shellBlocks } from '../helpers/doc-commands.js';
import { BACKEND, seedDataDir, startTestServer, uniq, type TestServer } from '../helpers/server.js';
import { ShellSession } from '../helpers/shell-session.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GRPCURL = findGrpcurl(ROOT);
const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

/** A database no one else uses: a fresh PGlite folder (from the migrated template), or a new Postgres database. */
async function freshDatabase(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stakazo-docs-data-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (BACKEND === 'pglite') {
    await seedDataDir(dataDir);
    return { env: { DATA_DIR: dataDir }, drop: async () => removeDir() };
  }
  const base = new URL(process.env.DATABASE_URL!);
  const name = uniq('stakazo_docs_');
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    async drop() {
      removeDir();
      const client = new pg.Client({ connectionString: base.toString() });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** A working folder that looks like the repository's root (every entry linked) but keeps what the docs write. */
function workingFolder(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'stakazo-docs-cwd-'));
  for (const entry of readdirSync(ROOT)) {
    if (!['.git', 'data', 'node_modules'].includes(entry)) symlinkSync(join(ROOT, entry), join(cwd, entry));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(cwd, 'node_modules'));
  return cwd;
}

/** What went wrong in one block, with the document's line numbers. */
function describeFailure(block: DocBlock, problem: string, run: { stdout: string; stderr: string }): string {
  return `${block.where}: ${problem}\n  stdout: ${run.stdout.slice(-1500)}\n  stderr: ${run.stderr.slice(-1500)}`;
}

/** Runs every block of `document` in one session and returns the problems found (empty when all ran as written). */
async function runDocument(document: string): Promise<{ problems: string[]; ran: number; skipped: string[] }> {
  const blocks = shellBlocks(join(ROOT, document), document);
  if (blocks.every((block) => block.notRunBecause)) return { problems: [], ran: 0, skipped: blocks.map((b) => `${b.where} (${b.notRunBecause})`) };
  const database = await freshDatabase();
  const cwd = workingFolder();
  const session = new ShellSession(cwd, { ...process.env, ...database.env, PATH: `${dirname(GRPCURL!)}:${process.env.PATH}` });
  let server: TestServer | undefined;
  const problems: string[] = [];
  const skipped: string[] = [];
  let ran = 0;
  try {
    for (const block of blocks) {
      if (block.notRunBecause) {
        skipped.push(`${block.where} (${block.notRunBecause})`);
        continue;
      }
      if (block.serverStopped && server) {
        await server.stop();
        server = undefined;
      }
      if (!block.serverStopped && !server) server = await startTestServer({ ...database.env });
      let code = block.code;
      if (server)
        code = code.replaceAll('localhost:50051', `localhost:${server.running.port}`).replaceAll('localhost:9464', `localhost:${server.running.httpPort}`);
      const startedMs = Date.now();
      const run = await session.run(code);
      if (process.env.DOCS_TEST_TIMES) console.log(`      ${block.where}: ${Date.now() - startedMs} ms`);
      ran++;
      const unexpected = run.failed.length - block.expectedFailures.length;
      if (unexpected !== 0) {
        const lines = run.failed.map((f) => `line ${block.firstLine + f.line - 1} (exit ${f.status}): ${f.command}`).join('\n    ');
        const expected = block.expectedFailures.length ? ` (${block.expectedFailures.length} marked "# fails:")` : '';
        problems.push(describeFailure(block, `${run.failed.length} command(s) failed${expected}:\n    ${lines || '(none)'}`, run));
        continue;
      }
      const stderr = normaliseCode(run.stderr);
      for (const code of block.expectedFailures) {
        if (!stderr.includes(`code: ${normaliseCode(code)}`)) problems.push(describeFailure(block, `expected a failure with code ${code}`, run));
      }
    }
  } finally {
    session.close();
    await server?.stop();
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  }
  return { problems, ran, skipped };
}

describe(`the docs' shell blocks, run as written (${BACKEND})`, function () {
  this.timeout(600_000);

  before(function () {
    if (!GRPCURL) {
      console.log('      skipped: no grpcurl binary (run: bash scripts/install-go-tools.sh, or set GRPCURL=/path/to/grpcurl)');
      this.skip();
    }
  });

  for (const document of DOCUMENTS) {
    it(`${document}: every block runs as written`, async () => {
      const { problems, ran, skipped } = await runDocument(document);
      if (skipped.length) console.log(`      ${document}: ${ran} block(s) run; not run: ${skipped.join('; ')}`);
      expect(problems, problems.join('\n\n')).to.deep.equal([]);
    });
  }
});
