// `stakazo-ml backup` / `restore` on the embedded database: a backup taken through the running server, more
// writes, the server stopped, the backup restored: the server starts again on the old state. On Postgres both
// commands refuse and name pg_dump / pg_restore.
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect } from 'chai';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { BACKEND, call, seedDataDir, startTestServer, type TestServer } from '../helpers/server.js';

const content = (contentId: string) => ({
  content: { contentId, durationS: 30, features: undefined, metadata: undefined, createTime: undefined, updateTime: undefined },
});

async function contentIds(server: TestServer): Promise<string[]> {
  const { contents: items } = await call(server.metrics, server.metrics.listContent, { pageSize: 1000, pageToken: '' });
  return items.map((c) => c.contentId).sort();
}

describe(`backup and restore (${BACKEND})`, function () {
  this.timeout(600_000);
  const root = mkdtempSync(join(tmpdir(), 'stakazo-backup-'));
  const dataDir = join(root, 'data');
  after(() => rmSync(root, { recursive: true, force: true }));

  if (BACKEND === 'postgres') {
    it('refuses on Postgres and names pg_dump and pg_restore', () => {
      for (const args of [
        ['backup', '--out', join(root, 'b.tar.gz')],
        ['restore', join(root, 'b.tar.gz')],
      ]) {
        const result = runCli(dataDir, process.env.DATABASE_URL ?? '', ...args);
        expect(result.code, result.stderr).to.equal(2);
        expect(result.stderr).to.contain('DATABASE_URL is set').and.to.contain('pg_dump -Fc').and.to.contain('pg_restore');
      }
    });
    return;
  }

  const cli = (...args: string[]) => runCliAsync(dataDir, '', ...args);

  it('backs up through the running server, and a restore brings back that state', async () => {
    await seedDataDir(dataDir);
    let server = await startTestServer({ DATA_DIR: dataDir });
    const backup = join(root, 'before.tar.gz');
    try {
      await call(server.metrics, server.metrics.registerContent, content('before-1'));
      await call(server.metrics, server.metrics.registerContent, content('before-2'));
      // The admin route opens only with the admin file's token.
      const url = `http://127.0.0.1:${server.running.httpPort}/admin/backup`;
      expect((await fetch(url)).status).to.equal(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${'0'.repeat(64)}` } })).status).to.equal(401);

      // A link planted where a predictable temporary file would be, and an --out that is a link: neither followed.
      const victim = join(root, 'victim.txt');
      writeFileSync(victim, 'precious');
      symlinkSync(victim, `${backup}.partial`);
      const link = join(root, 'link.tar.gz');
      symlinkSync(victim, link);
      const refusedLink = await cli('backup', '--out', link);
      expect(refusedLink.code, refusedLink.stderr).to.equal(2);
      expect(refusedLink.stderr).to.contain(`--out ${link} is a symbolic link`);

      const made = await cli('backup', '--out', backup);
      expect(made.code, made.stderr).to.equal(0);
      expect(readFileSync(victim, 'utf8'), 'the backup was written through a planted link').to.equal('precious');
      expect(lstatSync(backup).mode & 0o077, 'the backup is readable by others').to.equal(0);
      rmSync(`${backup}.partial`);
      expect(made.stdout).to.match(new RegExp(`wrote .*before\\.tar\\.gz \\([\\d.]+ MiB\\) from the running server \\(pid ${process.pid}\\)`));
      expect(existsSync(`${backup}.partial`)).to.equal(false);

      // Written after the backup: gone after the restore.
      await call(server.metrics, server.metrics.registerContent, content('after-1'));
      expect(await contentIds(server)).to.deep.equal(['after-1', 'before-1', 'before-2']);

      const refused = await cli('restore', backup);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(new RegExp(`in use by process ${process.pid}`));
    } finally {
      await server.stop();
    }

    const restored = await cli('restore', backup);
    expect(restored.code, restored.stderr).to.equal(0);
    expect(restored.stdout).to.match(/restored .* into .*; the previous data is kept in .*data\.before-restore-\d{8}T\d{6}/);
    expect(readdirSync(root).filter((f) => f.startsWith(`${basename(dataDir)}.before-restore-`))).to.have.length(1);

    server = await startTestServer({ DATA_DIR: dataDir });
    try {
      expect(await contentIds(server)).to.deep.equal(['before-1', 'before-2']);
      await call(server.metrics, server.metrics.registerContent, content('after-restore'));
    } finally {
      await server.stop();
    }
  });

  it('backs up directly when no server runs, and refuses a file that is not a backup', async () => {
    const direct = join(root, 'direct.tar.gz');
    const made = await cli('backup', '--out', direct);
    expect(made.code, made.stderr).to.equal(0);
    expect(made.stdout).to.contain(`from ${dataDir}`);

    const junk = join(root, 'junk.tar.gz');
    writeFileSync(junk, 'not a backup');
    const refused = await cli('restore', junk);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.contain('is not a backup of stakazo-ml');

    const restored = await cli('restore', direct);
    expect(restored.code, restored.stderr).to.equal(0);
    const server = await startTestServer({ DATA_DIR: dataDir });
    try {
      expect(await contentIds(server)).to.deep.equal(['after-restore', 'before-1', 'before-2']);
    } finally {
      await server.stop();
    }
  });
});
