// The Python client example (examples/python/client.py, real grpcio with stubs generated from proto/) against a
// live server, as a tenant with its own bearer token.
import { spawn, spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { createToken } from '../../src/tenancy/tokens.js';
import { BACKEND, startTestServer, uniq, type TestServer } from '../helpers/server.js';

const PYTHON = '/usr/bin/python3';

/** Why the test cannot run here, or undefined when python3 with grpcio and grpc_tools is available. */
function missingPython(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import grpc, grpc_tools'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} is missing`;
  if (probe.status !== 0) return `python3-grpcio / python3-grpc-tools are missing (${probe.stderr.trim().split('\n').pop()})`;
  return undefined;
}

function runPython(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['examples/python/client.py', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe(`python client example (${BACKEND})`, () => {
  let server: TestServer;
  let tenant: string;

  before(async function () {
    const missing = missingPython();
    if (missing) {
      console.log(`      skipped: ${missing} (apt-get install -y python3-grpcio python3-grpc-tools)`);
      this.skip();
    }
    server = await startTestServer();
  });

  after(async () => {
    if (!server) return;
    if (tenant) await new TenancyRepository(server.running.db).deleteTokensOf(tenant);
    await server.stop();
  });

  it('creates a collection, upserts and searches, streams metrics, learns a day and prints its report', async () => {
    tenant = uniq('py');
    const { token } = await createToken(new TenancyRepository(server.running.db), tenant, 'python example test');
    const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const args = ['--address', server.address, '--token', token, '--day', day, '--prefix', tenant];

    const first = await runPython(args);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain(`collection ${tenant}-clip: created`);
    expect(first.stdout).to.contain('upserted 40 points: 40 new, 0 updated');
    expect(first.stdout).to.match(/search \(brand=acme, top 3\): 3 hits\n( {2}\S+-frame-\d+ +score 0\.9\d\d +brand acme\n){3}/);
    // Even videos hold the acme frames; video-0 is the example, so never in the answer.
    expect(first.stdout).to.match(/search content \(.*top 3\): 3 contents\n( {2}\S+-video-[2468] +fused 0\.\d{4} +best frames \S+, \S+\n){3}/);
    expect(first.stdout).to.contain('streamed 60 metric records: accepted 60, duplicate 0, rejected 0');
    expect(first.stdout).to.contain(`learning run ${day}: RUN_STATUS_SUCCEEDED`);
    expect(first.stdout).to.match(new RegExp(`report: 30 posts on 3 platforms were observed on ${day}`));
    expect(first.stdout).to.match(/PLATFORM_INSTAGRAM: 10 posts, completion [\d.]+%, lost in first 3 s 6\d\.\d%/);

    // Safe to run again: the same ids are updated, the records are duplicates.
    const second = await runPython(args);
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.contain(`collection ${tenant}-clip: already there`);
    expect(second.stdout).to.contain('accepted 0, duplicate 60, rejected 0');

    // The token is what scopes the data: without it the call is refused, with the message saying why.
    const anonymous = await runPython(['--address', server.address, '--day', day, '--prefix', tenant]);
    expect(anonymous.code).to.equal(1);
    expect(anonymous.stderr).to.contain('UNAUTHENTICATED: missing "authorization: Bearer <token>" metadata');
  });
});
