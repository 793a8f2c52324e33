// The Go module (clients/go: stubs from protoc-gen-go and protoc-gen-go-grpc) and its example program
// (clients/go/cmd/example), built with the go command and run against a live server as a tenant with its own token.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { runProcess } from '../helpers/process.js';
import { BACKEND, startTestServer, uniq, type TestServer } from '../helpers/server.js';

const MODULE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'clients', 'go');
/** The go command: on PATH, else where the Go tarball installs it. */
const GO = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/go/bin'].map((dir) => join(dir, 'go')).find((path) => existsSync(path));

describe(`go client module and its example (${BACKEND})`, () => {
  let server: TestServer;
  let tenant: string;
  let folder: string;
  const example = () => join(folder, 'example');

  before(async function () {
    if (!GO) {
      console.log('      skipped: no go command (on PATH or /usr/local/go/bin)');
      this.skip();
    }
    folder = mkdtempSync(join(tmpdir(), 'stakazo-go-'));
    // NOTE: built once; the go build cache makes later builds of the same sources take a moment.
    const built = await runProcess(GO!, ['build', '-o', example(), './cmd/example'], { cwd: MODULE });
    expect(built.code, built.stderr).to.equal(0);
    server = await startTestServer();
  });

  after(async () => {
    if (folder) rmSync(folder, { recursive: true, force: true });
    if (!server) return;
    if (tenant) await new TenancyRepository(server.running.db).deleteTokensOf(tenant);
    await server.stop();
  });

  it('upserts and searches embeddings, streams metrics, learns a day and reads its report', async () => {
    tenant = uniq('go');
    const { token } = await new TenancyService(new TenancyRepository(server.running.db)).createToken(tenant, 'go example test');
    const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const args = ['-address', server.address, '-token', token, '-day', day, '-prefix', tenant];

    const first = await runProcess(example(), args);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain(`collection ${tenant}-clip: created`);
    expect(first.stdout).to.contain('upserted 20 points: 20 new, 0 updated');
    expect(first.stdout).to.match(/search \(brand=acme, top 3\): 3 hits\n( {2}\S+-frame-\d*[02468] +score 0\.9\d\d +brand acme\n){3}/);
    expect(first.stdout).to.contain('streamed 60 metric records: accepted 60, duplicate 0, rejected 0');
    expect(first.stdout).to.contain(`learning run ${day}: RUN_STATUS_SUCCEEDED`);
    expect(first.stdout).to.contain(`report: 30 posts on 3 platforms were observed on ${day}`);
    expect(first.stdout).to.match(/PLATFORM_INSTAGRAM: 10 posts, completion [\d.]+%/);

    const second = await runProcess(example(), args);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.contain(`collection ${tenant}-clip: already there`);
    expect(second.stdout).to.contain('accepted 0, duplicate 60, rejected 0');

    const anonymous = await runProcess(example(), ['-address', server.address, '-day', day, '-prefix', tenant]);
    expect(anonymous.code).to.equal(1);
    expect(anonymous.stderr).to.contain('Unauthenticated: missing "authorization: Bearer <token>" metadata');
  });
});
