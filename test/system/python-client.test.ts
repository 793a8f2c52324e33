// The Python package (clients/python, import stakazo_ml) installed offline into a fresh virtualenv (with the system's
// grpcio: Debian's python3-grpcio), then the example (examples/python/client.py) run with it against a live server,
// as a tenant with its own bearer token; and the package's retry of idempotent calls on UNAVAILABLE.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { makeCerts } from '../helpers/certs.js';
import { type ProcessResult, runProcess } from '../helpers/process.js';
import { BACKEND, startTestServer, uniq, type TestServer } from '../helpers/server.js';

const SYSTEM_PYTHON = '/usr/bin/python3';

/** Why the test cannot run here, or undefined when python3 with grpcio, venv and setuptools is available. */
function missingPython(): string | undefined {
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import grpc, google.protobuf, venv, setuptools, wheel'], { encoding: 'utf8' });
  if (probe.error) return `${SYSTEM_PYTHON} is missing`;
  if (probe.status !== 0) return `python3-grpcio / python3-venv / python3-setuptools / python3-wheel are missing (${probe.stderr.trim().split('\n').pop()})`;
  return undefined;
}

/** The wrapper's retries, against a port nothing listens on: an idempotent read is sent 3 times, a create once. */
const RETRY_CHECK = `
import grpc, socket
from stakazo_ml import RetryPolicy, connect
from stakazo_ml.v1 import embedding_pb2
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
client = connect(f"127.0.0.1:{port}", token="stk_x", retry=RetryPolicy(attempts=3, initial_backoff_s=0.01))
for name, call, request in [("GetCollection", client.embedding.GetCollection, embedding_pb2.GetCollectionRequest(name="c")),
                            ("CreateCollection", client.embedding.CreateCollection, embedding_pb2.CreateCollectionRequest())]:
    before = client.retries
    try:
        call(request, timeout=10)
    except grpc.RpcError as err:
        print(name, err.code().name, client.retries - before)
`;

describe(`python package stakazo_ml and its example (${BACKEND})`, () => {
  let server: TestServer;
  let tenant: string;
  let venv: string;
  const python = () => join(venv, 'bin', 'python');
  const runPython = (args: string[]): Promise<ProcessResult> => runProcess(python(), ['examples/python/client.py', ...args]);

  before(async function () {
    const missing = missingPython();
    if (missing) {
      console.log(`      skipped: ${missing} (bash scripts/install-test-deps.sh)`);
      this.skip();
    }
    venv = mkdtempSync(join(tmpdir(), 'stakazo-venv-'));
    const created = await runProcess(SYSTEM_PYTHON, ['-m', 'venv', '--system-site-packages', venv]);
    expect(created.code, created.stderr).to.equal(0);
    // Offline: no index, the build backend (setuptools) and grpcio come from the system. Built from a copy: an
    // in-tree build writes build/ and *.egg-info, which the other back-end's suite may be writing at the same time.
    const source = join(venv, 'source');
    cpSync('clients/python', source, { recursive: true });
    const installed = await runProcess(join(venv, 'bin', 'pip'), ['install', '--no-index', '--no-build-isolation', '--no-deps', '-q', source]);
    expect(installed.code, installed.stdout + installed.stderr).to.equal(0);
    server = await startTestServer();
  });

  after(async () => {
    if (venv) rmSync(venv, { recursive: true, force: true });
    if (!server) return;
    if (tenant) await new TenancyRepository(server.running.db).deleteTokensOf(tenant);
    await server.stop();
  });

  it('installs the generated modules with their .pyi type stubs and the typed wrapper (py.typed)', async () => {
    const probe = `import os, stakazo_ml, stakazo.ml.v1.embedding_pb2 as m, stakazo.ml.v1.embedding_pb2_grpc as g
from stakazo_ml.v1 import learning_pb2
print(os.path.exists(m.__file__[:-3] + ".pyi"), os.path.exists(g.__file__[:-3] + ".pyi"),
      os.path.exists(os.path.join(os.path.dirname(stakazo_ml.__file__), "py.typed")), learning_pb2.GetLearningReportRequest(day="x").day)`;
    const result = await runProcess(python(), ['-c', probe], { cwd: tmpdir() });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal('True True True x\n');
  });

  it('retries an idempotent call on UNAVAILABLE with backoff, and a create not at all', async () => {
    const result = await runProcess(python(), ['-c', RETRY_CHECK], { cwd: tmpdir() });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal('GetCollection UNAVAILABLE 2\nCreateCollection UNAVAILABLE 0\n');
  });

  it('connects over TLS with the CA given to connect(), and sends the token', async () => {
    const certs = makeCerts();
    const tlsServer = await startTestServer({ TLS_CERT_FILE: certs.serverCert, TLS_KEY_FILE: certs.serverKey });
    const tlsTenant = uniq('pytls');
    try {
      const { token } = await new TenancyService(new TenancyRepository(tlsServer.running.db)).createToken(tlsTenant, 'python tls test');
      const script = `import sys
from stakazo_ml import connect
from stakazo_ml.v1 import embedding_pb2
with open(sys.argv[3], "rb") as ca:
    client = connect(sys.argv[1], token=sys.argv[2], root_certificates=ca.read(), ready_timeout_s=30)
with client:
    print(len(client.embedding.ListCollections(embedding_pb2.ListCollectionsRequest(), timeout=30).collections))`;
      const result = await runProcess(python(), ['-c', script, tlsServer.address, token, certs.caCert], { cwd: tmpdir() });
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.equal('0\n');
    } finally {
      await new TenancyRepository(tlsServer.running.db).deleteTokensOf(tlsTenant);
      await tlsServer.stop();
      rmSync(certs.dir, { recursive: true, force: true });
    }
  });

  it('creates a collection, upserts and searches, streams metrics, learns a day and prints its report', async () => {
    tenant = uniq('py');
    const { token } = await new TenancyService(new TenancyRepository(server.running.db)).createToken(tenant, 'python example test');
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
