// Every grpcurl example of README.md and docs/grpcurl.md, replayed with the real grpcurl binary against a live
// server (installed by scripts/install-go-tools.sh; skipped with a message when it is missing): what grpcurl users
// copy is what is tested. Each file runs as its own tenant; docs/grpcurl.md runs on a small demo world.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { seedDemo } from '../../src/demo/seed.js';
import { addDays, dayOf } from '../../src/domain/days.js';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { type DocCommand, findGrpcurl, grpcurlCommands } from '../helpers/doc-commands.js';
import { type ProcessResult, runProcess } from '../helpers/process.js';
import { BACKEND, startTestServer, uniq, type TestServer } from '../helpers/server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GRPCURL = findGrpcurl(ROOT);
/** The day the examples of docs/grpcurl.md were written on: their dates are moved by (today − this day). */
const GRPCURL_DOC_TODAY = '2026-11-25';
const CLIP_DIMENSION = 512;

/** Runs one documented command in bash, with grpcurl first on PATH, in `cwd`. */
function runShell(script: string, cwd: string): Promise<ProcessResult> {
  return runProcess('bash', ['-c', script], { cwd, env: { ...process.env, PATH: `${dirname(GRPCURL!)}:${process.env.PATH}` } });
}

/** Moves every valid YYYY-MM-DD in `text` by `days` (invalid ones, like an error example's 2026-11-31, stay). */
function shiftDates(text: string, days: number): string {
  return text.replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, (day) => {
    const parsed = new Date(`${day}T00:00:00Z`);
    return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day ? day : addDays(day, days);
  });
}

/** What a session of one file needs: the server's address, a token, values learnt from earlier answers. */
interface Session {
  address: string;
  token: string;
  dayShift: number;
  /** Placeholder in the text → the value to put in its place (filled as answers come in). */
  placeholders: Map<string, string>;
  cwd: string;
}

/** The command as the test runs it: the server's address, the session's token, placeholders filled, dates moved. */
function prepare(doc: DocCommand, session: Session): string {
  let command = doc.command.replaceAll('localhost:50051', session.address);
  for (const [placeholder, value] of session.placeholders) command = command.replaceAll(placeholder, value);
  if (session.dayShift) command = shiftDates(command, session.dayShift);
  // NOTE: every call goes as the session's tenant; a command that sends its own header has had its token filled.
  if (!command.includes(' -H ')) command = command.replace(/^grpcurl /, `grpcurl -H 'authorization: Bearer ${session.token}' `);
  return [...doc.variables, command].join('\n');
}

async function replay(doc: DocCommand, session: Session): Promise<ProcessResult> {
  const run = await runShell(prepare(doc, session), session.cwd);
  const context = `${doc.where}\n${doc.command}\nstdout: ${run.stdout.slice(0, 2000)}\nstderr: ${run.stderr.slice(0, 2000)}`;
  if (doc.expectedError) {
    expect(run.code, context).to.not.equal(0);
    expect(run.stderr, context).to.contain(`Code: ${doc.expectedError}`);
  } else {
    expect(run.code, context).to.equal(0);
    if (doc.expectedKey) expect(run.stdout, context).to.contain(`"${doc.expectedKey}"`);
  }
  return run;
}

describe(`grpcurl examples of the docs, replayed with grpcurl (${BACKEND})`, () => {
  let server: TestServer;
  const tenants: string[] = [];
  let cwd: string;

  before(async function () {
    if (!GRPCURL) {
      console.log('      skipped: no grpcurl binary (run: bash scripts/install-go-tools.sh, or set GRPCURL=/path/to/grpcurl)');
      this.skip();
    }
    server = await startTestServer();
    cwd = mkdtempSync(join(tmpdir(), 'stakazo-grpcurl-'));
    // The docs' REFLECTION=false example names `-import-path proto` from the repository's root.
    symlinkSync(join(ROOT, 'proto'), join(cwd, 'proto'));
  });

  after(async () => {
    if (!server) return;
    const repo = new TenancyRepository(server.running.db);
    for (const tenant of tenants) await repo.deleteTokensOf(tenant);
    await server.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  async function newSession(prefix: string, dayShift = 0): Promise<Session & { tenant: string }> {
    const tenant = uniq(prefix);
    tenants.push(tenant);
    const { token } = await new TenancyService(new TenancyRepository(server.running.db)).createToken(tenant, 'grpcurl docs test');
    return { tenant, token, address: server.address, dayShift, placeholders: new Map(), cwd };
  }

  it('README.md: list, describe, health, an embedding session, a metrics stream (-d @), a learning session', async () => {
    const commands = grpcurlCommands(join(ROOT, 'README.md'), 'README.md');
    expect(commands.length).to.be.greaterThan(10);
    const session = await newSession('readme');
    for (const doc of commands) {
      const run = await replay(doc, session);
      if (/ list$/.test(doc.command)) {
        for (const name of ['grpc.health.v1.Health', 'stakazo.ml.v1.EmbeddingService', 'grpc.reflection.v1.ServerReflection']) {
          expect(run.stdout, doc.where).to.contain(name);
        }
      }
    }
  });

  it('docs/grpcurl.md: every example, on a small demo world (health, tokens, one call per service, aliases, errors)', async () => {
    const commands = grpcurlCommands(join(ROOT, 'docs', 'grpcurl.md'), 'docs/grpcurl.md');
    expect(commands.length).to.be.greaterThan(20);
    const today = dayOf(new Date());
    const session = await newSession('docs', (new Date(`${today}T00:00:00Z`).getTime() - new Date(`${GRPCURL_DOC_TODAY}T00:00:00Z`).getTime()) / 86_400_000);
    const { services } = server.running;
    await seedDemo(services, server.config, { tenantId: session.tenant, days: 2, postsPerDay: 20 }, { phase: () => () => undefined });
    session.placeholders.set('stk_…', session.token);
    // What the aliases walk-through starts from: today's collection clip-v1, and the file of points it loads.
    await services.embedding.createCollection(session.tenant, {
      name: 'clip-v1',
      embeddingType: 'visual_clip',
      dimension: CLIP_DIMENSION,
      distance: 'cosine',
      precision: 'float32',
      hnswM: 16,
      hnswEfConstruction: 64,
      hnswEfSearch: 100,
      description: 'grpcurl docs test',
    });
    const point = (i: number) => ({
      id: `p${i}`,
      content_id: `video-${i}`,
      vector: { values: Array.from({ length: CLIP_DIMENSION }, (_, k) => Math.sin(i * 7 + k)) },
    });
    const lines = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => JSON.stringify({ collection: 'clip-v2', points: [point(i)] }));
    writeFileSync(join(cwd, 'clip-v2-points.jsonl'), `${lines.join('\n')}\n`);

    for (const doc of commands) {
      const run = await replay(doc, session);
      const experimentId = /"experimentId": "([^"]+)"/.exec(run.stdout)?.[1];
      if (doc.command.includes('/CreateExperiment') && experimentId) session.placeholders.set('c405e354-…', experimentId);
    }
    expect(session.placeholders.has('c405e354-…'), 'CreateExperiment answered an experiment id').to.equal(true);
  });
});
