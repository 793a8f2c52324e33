// The npm package as an outside TypeScript/JavaScript project gets it: `npm pack`, the tarball installed into a
// fresh folder (dependencies from the npm cache), then plain `node` (no tsx) calls a live server through the typed
// clients it exports. Uses the build (`npm run build`; made here when dist/ is missing).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { TenancyRepository } from '../../src/tenancy/tenancy.repository.js';
import { TenancyService } from '../../src/tenancy/tenancy.service.js';
import { runProcess } from '../helpers/process.js';
import { BACKEND, startTestServer, uniq, type TestServer } from '../helpers/server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What an outside project writes: ESM, plain node, the package's typed clients and grpc-js. */
const CONSUMER = `import { credentials, Metadata } from '@grpc/grpc-js';
import { Collection, EmbeddingServiceClient, EmbeddingType, SearchRequest, UpsertRequest, unaryCall } from 'stakazo-ml';

const [address, token, name] = process.argv.slice(2);
const metadata = new Metadata();
metadata.set('authorization', 'Bearer ' + token);
const client = new EmbeddingServiceClient(address, credentials.createInsecure());
const collection = Collection.fromPartial({ name, embeddingType: EmbeddingType.EMBEDDING_TYPE_TEXT, dimension: 3 });
await unaryCall(client, client.createCollection, { collection }, metadata);
const points = [{ id: 'a', contentId: 'video-a', vector: { values: [1, 0, 0] } }, { id: 'b', contentId: 'video-b', vector: { values: [0, 1, 0] } }];
const upserted = await unaryCall(client, client.upsert, UpsertRequest.fromPartial({ collection: name, points }), metadata);
const { hits } = await unaryCall(client, client.search, SearchRequest.fromPartial({ collection: name, vector: { values: [0.9, 0.1, 0] }, topK: 1 }), metadata);
console.log(JSON.stringify({ inserted: upserted.insertedCount, nearest: hits[0].point.id }));
client.close();
`;

async function run(command: string, args: string[], cwd: string) {
  const result = await runProcess(command, args, { cwd });
  expect(result.code, `${command} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).to.equal(0);
  return result.stdout;
}

describe(`npm package, built to JavaScript (${BACKEND})`, () => {
  let server: TestServer;
  let tenant: string;
  let folder: string;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'stakazo-npm-'));
    if (!existsSync(join(ROOT, 'dist', 'src', 'client.d.ts'))) await run('npm', ['run', '--silent', 'build'], ROOT);
    server = await startTestServer();
  });

  after(async () => {
    if (tenant) await new TenancyRepository(server.running.db).deleteTokensOf(tenant);
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('packs, installs into a fresh folder and calls the server from plain node with the built clients and types', async () => {
    const [packed] = JSON.parse(await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', folder], ROOT)) as {
      filename: string;
      files: { path: string }[];
    }[];
    const paths = packed.files.map((f) => f.path);
    expect(paths).to.include.members(['dist/src/client.js', 'dist/src/client.d.ts', 'package.json']);

    const consumer = join(folder, 'consumer');
    await run('mkdir', ['-p', consumer], folder);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // NOTE: --prefer-offline takes every dependency from the npm cache the project's own `npm ci` filled.
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(folder, packed.filename)], consumer);
    const installed = JSON.parse(readFileSync(join(consumer, 'node_modules', 'stakazo-ml', 'package.json'), 'utf8'));
    expect(existsSync(join(consumer, 'node_modules', 'stakazo-ml', installed.types)), 'the types file the package names').to.equal(true);
    expect(readFileSync(join(consumer, 'node_modules', 'stakazo-ml', installed.types), 'utf8')).to.contain('embedding.js');

    writeFileSync(join(consumer, 'main.mjs'), CONSUMER);
    tenant = uniq('npm');
    const { token } = await new TenancyService(new TenancyRepository(server.running.db)).createToken(tenant, 'npm package test');
    const output = await run(process.execPath, ['main.mjs', server.address, token, `${tenant}-clip`], consumer);
    expect(JSON.parse(output)).to.deep.equal({ inserted: 2, nearest: 'a' });
  });
});
