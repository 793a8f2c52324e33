// The Python package (clients/python, import stakazo_ml) installed offline into a fresh virtualenv (with the system's
// grpcio: Debian's python3-grpcio), then the example (examples/python/client.py) run with it against a live server,
// as a tenant with its own bearer token; the package's retry of idempotent calls on UNAVAILABLE; its plain-Python
// layer (dicts, datetimes, default top_k, errors naming address, method and status); mypy over the example with the
// shipped types. The same package also runs on a Python that is not Debian's (pyenv's 3.11, in a venv without the
// system's packages, given only Debian's grpcio/protobuf/wheel: what is available offline).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

/** The plain-Python layer against a live server (argv: address, collection): dicts in, default top_k, errors that name the call. */
const NATIVE_CHECK = `
import sys, datetime as dt
from stakazo_ml import ConnectTimeout, StakazoError, connect, timestamp
from stakazo_ml.v1 import embedding_pb2
address, name = sys.argv[1], sys.argv[2]
with connect(address, ready_timeout_s=30) as client:
    client.embedding.CreateCollection(embedding_pb2.CreateCollectionRequest(collection=embedding_pb2.Collection(
        name=name, embedding_type=embedding_pb2.EMBEDDING_TYPE_VISUAL_CLIP, dimension=3)), timeout=30)
    points = [{"id": f"p{i}", "content_id": f"video-{i}", "vector": [1.0, i / 20, 0.0], "metadata": {"brand": "acme" if i % 2 else "other"}} for i in range(24)]
    client.upsert(name, points[:12])
    client.upsert(name, points[12:])
    print(len(client.search(name, [1.0, 0.0, 0.0])), len(client.search(name, [1.0, 0.0, 0.0], metadata_contains={"brand": "acme"}, top_k=3)))
    try:
        client.search("no-such-collection", [1.0, 0.0, 0.0])
    except StakazoError as err:
        print(err.address == address, err.method, err.code.name)
print(timestamp(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)).seconds)
try:
    connect("127.0.0.1:1", ready_timeout_s=0.2)
except ConnectTimeout as err:
    print(err)
`;

/** Installs clients/python offline into `venv` (made by its own Python), from a copy (see below). */
async function installPackage(venv: string): Promise<void> {
  // Offline: no index, the build backend (setuptools) and grpcio come from the system. Built from a copy: an
  // in-tree build writes build/ and *.egg-info, which the other back-end's suite may be writing at the same time.
  const source = join(venv, 'source');
  cpSync('clients/python', source, { recursive: true });
  const installed = await runProcess(join(venv, 'bin', 'pip'), ['install', '--no-index', '--no-build-isolation', '--no-deps', '-q', source]);
  expect(installed.code, installed.stdout + installed.stderr).to.equal(0);
}

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
    await installPackage(venv);
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
      os.path.exists(os.path.join(os.path.dirname(stakazo_ml.__file__), "py.typed")),
      os.path.exists(os.path.join(os.path.dirname(m.__file__), "py.typed")), learning_pb2.GetLearningReportRequest(day="x").day)`;
    const result = await runProcess(python(), ['-c', probe], { cwd: tmpdir() });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal('True True True True x\n');
  });

  it('takes dicts and datetimes, defaults top_k, and raises errors naming the address, the method and the status', async () => {
    const result = await runProcess(python(), ['-c', NATIVE_CHECK, server.address, uniq('pynative')], { cwd: tmpdir() });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal(
      '10 3\nTrue EmbeddingService/Search NOT_FOUND\n1767225600\n' +
        'connect at 127.0.0.1:1 failed: UNAVAILABLE: no stakazo-ml server answered within 0.2 s (is it running, and is the address right?)\n',
    );
  });

  it('type-checks the example with mypy and the shipped types (a typo in a field name is caught)', async function () {
    const mypy = spawnSync('mypy', ['--version'], { encoding: 'utf8' });
    if (mypy.error || mypy.status !== 0) {
      console.log('      skipped: no mypy (Debian package mypy; bash scripts/install-test-deps.sh)');
      this.skip();
    }
    const args = ['--config-file', 'clients/python/mypy.ini', '--python-executable', python(), '--no-incremental'];
    const example = await runProcess('mypy', [...args, 'examples/python/client.py']);
    expect(example.code, example.stdout + example.stderr).to.equal(0);
    const typo = join(venv, 'typo.py');
    writeFileSync(typo, 'from stakazo_ml.v1 import embedding_pb2\nembedding_pb2.SearchRequest(collection="c", topk=3)\n');
    const caught = await runProcess('mypy', [...args, typo]);
    expect(caught.stdout).to.contain('Unexpected keyword argument "topk" for "SearchRequest"; did you mean "top_k"?');
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

/** A Python that is not Debian's: $PYTHON_OTHER, else pyenv's 3.11 (the minor version of Debian's grpcio build). */
function otherPython(): string | undefined {
  if (process.env.PYTHON_OTHER) return process.env.PYTHON_OTHER;
  const root = '/root/.pyenv/versions';
  const version = existsSync(root) ? readdirSync(root).find((v) => v.startsWith('3.11.')) : undefined;
  return version ? join(root, version, 'bin', 'python3') : undefined;
}

/** Debian's pure-Python and binary packages a venv may borrow offline: grpcio, protobuf, and wheel to build with. */
const DEBIAN_PACKAGES = '/usr/lib/python3/dist-packages';
const BORROWED = /^(grpc|grpcio.*|google|protobuf.*|wheel|wheel-.*)$/;

describe(`python package stakazo_ml on a Python that is not Debian's (${BACKEND})`, () => {
  let server: TestServer;
  let venv: string;

  before(async function () {
    const other = otherPython();
    const missing = !other || !existsSync(other) ? 'no other python3.11 (set PYTHON_OTHER, or pyenv install 3.11)' : missingPython();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    venv = mkdtempSync(join(tmpdir(), 'stakazo-venv-other-'));
    // NOTE: no --system-site-packages: the venv sees only its own packages, plus (through one .pth) links to
    // Debian's grpcio, protobuf and wheel, built for CPython 3.11's ABI. PyPI is not reachable from this machine.
    const created = await runProcess(other!, ['-m', 'venv', venv]);
    expect(created.code, created.stderr).to.equal(0);
    const borrowed = join(venv, 'debian-offline');
    mkdirSync(borrowed);
    for (const name of readdirSync(DEBIAN_PACKAGES).filter((n) => BORROWED.test(n))) symlinkSync(join(DEBIAN_PACKAGES, name), join(borrowed, name));
    const sitePackages = join(venv, 'lib', 'python3.11', 'site-packages');
    writeFileSync(join(sitePackages, 'debian-offline.pth'), `${borrowed}\n`);
    await installPackage(venv);
    server = await startTestServer();
  });

  after(async () => {
    if (venv) rmSync(venv, { recursive: true, force: true });
    await server?.stop();
  });

  it('is another interpreter, without the system packages', async () => {
    const probe =
      'import sys, grpc; print(sys.prefix != sys.base_prefix, sys.base_prefix.startswith("/usr") and not sys.base_prefix.startswith("/usr/local"), "dist-packages" in ":".join(sys.path))';
    const result = await runProcess(join(venv, 'bin', 'python'), ['-c', probe], { cwd: tmpdir() });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal('True False False\n');
  });

  it('calls a live server, retries, and raises the package errors', async () => {
    const python = join(venv, 'bin', 'python');
    const native = await runProcess(python, ['-c', NATIVE_CHECK, server.address, uniq('pyother')], { cwd: tmpdir() });
    expect(native.code, native.stderr).to.equal(0);
    expect(native.stdout).to.match(/^10 3\nTrue EmbeddingService\/Search NOT_FOUND\n/);
    const retry = await runProcess(python, ['-c', RETRY_CHECK], { cwd: tmpdir() });
    expect(retry.code, retry.stderr).to.equal(0);
    expect(retry.stdout).to.equal('GetCollection UNAVAILABLE 2\nCreateCollection UNAVAILABLE 0\n');
  });
});
